package io.guidance.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.Insets;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A chart is a PNG of the size asked for, with its points where the axes put them. */
class LineChartTest {
    private static final int WIDTH = 600;
    private static final int HEIGHT = 400;

    /** Plot: x from 60 to 560 (500 px), y from 50 to 350 (300 px). */
    private static final Insets MARGINS = new Insets(50, 60, 50, 40);

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    private static LineChart chart() {
        return new LineChart(WIDTH, HEIGHT, MARGINS)
                .title("title", "subtitle")
                .xAxis("x", LineChart.Axis.linear(100))
                .yAxis("y", 10)
                .line(
                        LineChart.Line.of(
                                        new double[] {20, 50, 80}, new double[] {2, 5, Double.NaN})
                                .drawn(LineChart.ORANGE, LineChart.solid(3f))
                                .points(10)
                                .legend("orange"));
    }

    @Test
    void theFileIsAPngOfTheSizeAskedFor(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("charts/chart.png");
        chart().write(png);

        byte[] bytes = Files.readAllBytes(png);
        byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        assertThat(Arrays.copyOf(bytes, 8)).isEqualTo(signature);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(WIDTH);
        assertThat(img.getHeight()).isEqualTo(HEIGHT);
        assertThat(img.getRGB(0, 0)).as("background").isEqualTo(Color.WHITE.getRGB());
    }

    @Test
    void pointsSitWhereTheAxesPutThem() {
        BufferedImage img = chart().render();
        // (50, 5): halfway along both axes
        assertThat(img.getRGB(60 + 250, 50 + 300 - 150)).isEqualTo(LineChart.ORANGE.getRGB());
        // (20, 2): a fifth along x and along y
        assertThat(img.getRGB(60 + 100, 50 + 300 - 60)).isEqualTo(LineChart.ORANGE.getRGB());
        // (80, no value): no point, the plot stays white there (a few pixels off the grid lines)
        assertThat(img.getRGB(60 + 400 + 3, 50 + 300 - 240 + 3)).isEqualTo(Color.WHITE.getRGB());
    }

    @Test
    void aLogAxisPutsEachDecadeAtTheSameDistance() {
        BufferedImage img =
                new LineChart(WIDTH, HEIGHT, MARGINS)
                        .xAxis("rules", LineChart.Axis.log10(1, 10, 100))
                        .yAxis("events/s", 100)
                        .line(
                                LineChart.Line.of(
                                                new double[] {1, 10, 100},
                                                new double[] {50, 50, 50})
                                        .drawn(LineChart.BLUE, LineChart.solid(1f))
                                        .points(10))
                        .render();
        // 10 sits halfway between 1 and 100
        assertThat(img.getRGB(60 + 250, 50 + 150)).isEqualTo(LineChart.BLUE.getRGB());
        assertThat(img.getRGB(60 + 500, 50 + 150)).isEqualTo(LineChart.BLUE.getRGB());
    }

    @Test
    void niceCeilingRoundsUpToAReadableScale() {
        assertThat(LineChart.niceCeiling(2_475)).isEqualTo(2_500);
        assertThat(LineChart.niceCeiling(41_000)).isEqualTo(50_000);
        assertThat(LineChart.niceCeiling(100)).isEqualTo(100);
    }
}
