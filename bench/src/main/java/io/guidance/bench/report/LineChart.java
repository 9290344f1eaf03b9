package io.guidance.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Insets;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A line chart drawn with Java2D, headless, and written as a PNG: a title and a subtitle, a grid, a
 * linear y axis from zero, a linear or logarithmic x axis, lines with their points, horizontal
 * reference lines, and a legend to the right of the plot for every line or reference line that has
 * a name.
 */
public final class LineChart {
    public static final Color BLUE = new Color(31, 119, 180);
    public static final Color ORANGE = new Color(255, 127, 14);
    public static final Color RED = new Color(200, 40, 40);

    private static final Color GRID = new Color(225, 225, 225);
    private static final int TICKS = 5;
    private static final int LEGEND_ROW = 24;

    private final int width;
    private final int height;
    private final Insets margins;
    private String title = "";
    private String subtitle = "";
    private String xTitle = "";
    private String yTitle = "";
    private Axis xAxis = Axis.linear(1);
    private double yMax = 1;
    private final List<Line> lines = new ArrayList<>();
    private final List<Level> levels = new ArrayList<>();

    /** A chart of {@code width} x {@code height} pixels; the plot is inside {@code margins}. */
    public LineChart(int width, int height, Insets margins) {
        this.width = width;
        this.height = height;
        this.margins = margins;
    }

    public LineChart title(String title, String subtitle) {
        this.title = title;
        this.subtitle = subtitle;
        return this;
    }

    public LineChart xAxis(String title, Axis axis) {
        this.xTitle = title;
        this.xAxis = axis;
        return this;
    }

    /** A linear y axis from 0 to {@code max}, with five grid lines. */
    public LineChart yAxis(String title, double max) {
        this.yTitle = title;
        this.yMax = max;
        return this;
    }

    public LineChart line(Line line) {
        lines.add(line);
        return this;
    }

    /** A horizontal line across the plot at {@code y}, such as a target. */
    public LineChart level(String legend, double y, Color color, Stroke stroke) {
        levels.add(new Level(legend, y, color, stroke));
        return this;
    }

    /** Draws the chart and writes it as a PNG, creating the directory if need be. */
    public void write(Path png) throws IOException {
        BufferedImage img = render();
        Path dir = png.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        ImageIO.write(img, "png", png.toFile());
    }

    public BufferedImage render() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(
                RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        drawFrame(g);
        for (Level l : levels) {
            g.setColor(l.color);
            g.setStroke(l.stroke);
            int y = y(l.y);
            g.drawLine(margins.left, y, margins.left + plotWidth(), y);
        }
        for (Line l : lines) {
            drawLine(g, l);
        }
        drawLegend(g);
        g.dispose();
        return img;
    }

    private int plotWidth() {
        return width - margins.left - margins.right;
    }

    private int plotHeight() {
        return height - margins.top - margins.bottom;
    }

    private int x(double v) {
        return margins.left + (int) Math.round(plotWidth() * xAxis.fraction(v));
    }

    private int y(double v) {
        return margins.top + plotHeight() - (int) Math.round(plotHeight() * v / yMax);
    }

    /** Titles, grid, tick labels, the plot's border and the axis titles. */
    private void drawFrame(Graphics2D g) {
        int left = margins.left;
        int top = margins.top;
        int plotW = plotWidth();
        int plotH = plotHeight();
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 20));
        center(g, title, left + plotW / 2, 32);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        center(g, subtitle, left + plotW / 2, 54);

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i <= TICKS; i++) {
            int y = top + plotH - (int) Math.round(plotH * i / (double) TICKS);
            g.setColor(GRID);
            g.drawLine(left, y, left + plotW, y);
            g.setColor(Color.BLACK);
            String label = Markdown.rounded(yMax * i / TICKS);
            g.drawString(label, left - 8 - fm.stringWidth(label), y + fm.getAscent() / 2 - 2);
        }
        for (int i = 0; i < xAxis.ticks.length; i++) {
            int x = x(xAxis.ticks[i]);
            g.setColor(GRID);
            g.drawLine(x, top, x, top + plotH);
            g.setColor(Color.BLACK);
            center(g, xAxis.labels[i], x, top + plotH + 20);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, plotW, plotH);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        center(g, xTitle, left + plotW / 2, height - 24);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.setFont(g.getFont());
        rotated.drawString(
                yTitle, -(top + plotH / 2) - rotated.getFontMetrics().stringWidth(yTitle) / 2, 24);
        rotated.dispose();
    }

    /** The segments between the points that have a value, then the points (and their values). */
    private void drawLine(Graphics2D g, Line l) {
        g.setColor(l.color);
        g.setStroke(l.stroke);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        int px = -1;
        int py = -1;
        for (int i = 0; i < l.xs.length; i++) {
            if (Double.isNaN(l.ys[i])) {
                continue;
            }
            int x = x(l.xs[i]);
            int y = y(l.ys[i]);
            if (px >= 0) {
                g.drawLine(px, py, x, y);
            }
            g.fillOval(x - l.pointSize / 2, y - l.pointSize / 2, l.pointSize, l.pointSize);
            if (l.valueLabels) {
                String label = Markdown.rounded(l.ys[i]);
                int w = g.getFontMetrics().stringWidth(label);
                int lx =
                        Math.min(
                                Math.max(x - w / 2, margins.left + 4),
                                margins.left + plotWidth() - 4 - w);
                g.drawString(label, lx, y - 12 < margins.top + 14 ? y + 24 : y - 12);
            }
            px = x;
            py = y;
        }
    }

    private void drawLegend(Graphics2D g) {
        int x = margins.left + plotWidth() + 20;
        int row = 0;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        for (Line l : lines) {
            if (l.legend != null) {
                legendEntry(g, x, row++, l.legend, l.color, l.stroke);
            }
        }
        for (Level l : levels) {
            if (l.legend != null) {
                legendEntry(g, x, row++, l.legend, l.color, l.stroke);
            }
        }
    }

    private void legendEntry(
            Graphics2D g, int x, int row, String text, Color color, Stroke stroke) {
        int y = margins.top + 10 + row * LEGEND_ROW;
        g.setColor(color);
        g.setStroke(stroke);
        g.drawLine(x, y, x + 40, y);
        g.setColor(Color.BLACK);
        g.drawString(text, x + 46, y + 5);
    }

    private static void center(Graphics2D g, String s, int x, int y) {
        g.drawString(s, x - g.getFontMetrics().stringWidth(s) / 2, y);
    }

    /** The smallest of 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten that is at least v. */
    public static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(Math.max(v, 1e-9))));
        for (double m : new double[] {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    public static Stroke solid(float width) {
        return new BasicStroke(width);
    }

    /** A dashed stroke: {@code pattern} alternates dash and gap lengths. */
    public static Stroke dashed(float width, float... pattern) {
        return new BasicStroke(
                width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, pattern, 0f);
    }

    /** The x axis: where a value sits along the plot, and the ticks with their labels. */
    public static final class Axis {
        private final double min;
        private final double max;
        private final boolean log;
        private final double[] ticks;
        private final String[] labels;

        private Axis(double min, double max, boolean log, double[] ticks, String[] labels) {
            this.min = min;
            this.max = max;
            this.log = log;
            this.ticks = ticks;
            this.labels = labels;
        }

        /** From 0 to {@code max}, with five ticks between. */
        public static Axis linear(double max) {
            double[] ticks = new double[TICKS + 1];
            String[] labels = new String[ticks.length];
            for (int i = 0; i < ticks.length; i++) {
                ticks[i] = max * i / TICKS;
                labels[i] = Markdown.rounded(ticks[i]);
            }
            return new Axis(0, max, false, ticks, labels);
        }

        /** Log scale, with a tick at each of {@code at} (whole numbers, at least 1). */
        public static Axis log10(int... at) {
            double lo = Double.MAX_VALUE;
            double hi = 0;
            double[] ticks = new double[at.length];
            String[] labels = new String[at.length];
            for (int i = 0; i < at.length; i++) {
                ticks[i] = at[i];
                labels[i] = Integer.toString(at[i]);
                lo = Math.min(lo, at[i]);
                hi = Math.max(hi, at[i]);
            }
            double min = Math.log10(Math.max(1, lo));
            double max = Math.log10(Math.max(10, hi));
            return new Axis(min, max - min < 1e-9 ? min + 1 : max, true, ticks, labels);
        }

        double fraction(double v) {
            return log ? (Math.log10(Math.max(1, v)) - min) / (max - min) : v / max;
        }
    }

    /** One line: its points (NaN where a point has no value), how it is drawn, its legend. */
    public static final class Line {
        private final double[] xs;
        private final double[] ys;
        private String legend;
        private Color color = BLUE;
        private Stroke stroke = solid(3f);
        private int pointSize = 8;
        private boolean valueLabels;

        private Line(double[] xs, double[] ys) {
            if (xs.length != ys.length) {
                throw new IllegalArgumentException(
                        xs.length + " x values for " + ys.length + " y values");
            }
            this.xs = xs.clone();
            this.ys = ys.clone();
        }

        public static Line of(double[] xs, double[] ys) {
            return new Line(xs, ys);
        }

        public Line legend(String legend) {
            this.legend = legend;
            return this;
        }

        public Line drawn(Color color, Stroke stroke) {
            this.color = color;
            this.stroke = stroke;
            return this;
        }

        /** The diameter of the points, in pixels. */
        public Line points(int diameter) {
            this.pointSize = diameter;
            return this;
        }

        /** Writes each point's value next to it. */
        public Line valueLabels() {
            this.valueLabels = true;
            return this;
        }
    }

    private record Level(String legend, double y, Color color, Stroke stroke) {}
}
