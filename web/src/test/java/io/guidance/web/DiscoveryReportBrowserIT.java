package io.guidance.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.BoundingBox;
import io.guidance.discover.Cell;
import io.guidance.discover.DiscoveryReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Discovery's report as a data person opens it: the file written to disk and opened from there in
 * headless Chromium, with nothing fetched, the heat maps, the ranking and the retention bars laid
 * out, and a full-page screenshot in {@code target/screenshots/discovery-report.png}.
 *
 * <p>Needs Debian's {@code chromium} package ({@code /usr/bin/chromium}); Playwright drives it and
 * downloads no browser.
 */
class DiscoveryReportBrowserIT {
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final long DAY = 86_400_000L;

    private static final List<String> ACTIONS = List.of("view_item", "add_to_cart", "purchase");
    private static final int[] COUNTS = {1, 2, 3, 4, 5};
    private static final int[] DAYS = {1, 7, 14, 30};

    private static HeadlessChromium chromium;
    @TempDir static Path reportDir;

    @BeforeAll
    static void startTheBrowser() throws Exception {
        chromium = HeadlessChromium.launch(1280, 900);
    }

    @AfterAll
    static void stopTheBrowser() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
    }

    @Test
    void theReportOpensFromDiskWithItsHeatMapsRankingAndBars() throws Exception {
        List<Cell> ranked = History.simulate().cells();
        assertThat(ranked).hasSize(ACTIONS.size() * COUNTS.length * DAYS.length);
        DiscoveryReport.Input input =
                new DiscoveryReport.Input(
                        ranked,
                        "30d-365d",
                        30 * DAY,
                        365 * DAY,
                        null,
                        History.COHORT,
                        History.USERS_READ,
                        History.EVENTS_READ,
                        2,
                        History.END);
        Path report = reportDir.resolve("report.html");
        Files.writeString(report, DiscoveryReport.html(input));

        Page page = chromium.newPage();
        List<String> requested = new CopyOnWriteArrayList<>();
        page.onRequest(r -> requested.add(r.url()));
        page.navigate(report.toUri().toString());

        Locator maps = page.locator("svg.heatmap");
        assertThat(maps.count()).isEqualTo(ACTIONS.size());
        for (int i = 0; i < maps.count(); i++) {
            Locator map = maps.nth(i);
            assertThat(map.isVisible()).isTrue();
            BoundingBox box = map.boundingBox();
            assertThat(box.width).isGreaterThan(0);
            assertThat(box.height).isGreaterThan(0);
            assertThat(map.locator("g.cell").count()).isEqualTo(COUNTS.length * DAYS.length);
            assertThat(map.locator("rect.best").count()).isEqualTo(1);
        }
        // every phi label fits inside its cell, so neighbours never overlap
        Object overflowing =
                page.evaluate(
                        "() => [...document.querySelectorAll('svg.heatmap g.cell')]"
                                + ".filter(g => g.querySelector('text').getBBox().width"
                                + " > g.querySelector('rect').getBBox().width - 4).length");
        assertThat(((Number) overflowing).intValue()).isZero();

        Locator rows = page.locator("table.ranking tbody tr");
        assertThat(rows.count()).isEqualTo(25);
        for (int i = 0; i < rows.count(); i++) {
            assertThat(rows.nth(i).locator("td.action").textContent())
                    .isEqualTo(ranked.get(i).action());
            assertThat(rows.nth(i).locator("span.flag").count())
                    .isEqualTo(ranked.get(i).flagged() ? 1 : 0);
        }

        Locator bars = page.locator("svg.bars");
        BoundingBox barsBox = bars.boundingBox();
        assertThat(barsBox.width).isGreaterThan(0);
        assertThat(barsBox.height).isGreaterThan(0);
        assertThat(bars.locator("g.pair").count()).isEqualTo(5);
        BoundingBox legend = page.locator("svg.scale").boundingBox();
        assertThat(legend.width).isGreaterThan(0);

        // the page fits the window and the table its box: nothing runs off to the right
        Object tableTooWide =
                page.evaluate(
                        "() => { const t = document.querySelector('table.ranking');"
                                + " return t.scrollWidth > t.parentElement.clientWidth; }");
        assertThat(tableTooWide).isEqualTo(false);
        Object tooWide =
                page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth");
        assertThat(tooWide).isEqualTo(false);
        // self-contained: the page itself is the only request
        assertThat(requested).allSatisfy(url -> assertThat(url).startsWith("file:"));

        Files.createDirectories(SCREENSHOTS);
        Path shot = SCREENSHOTS.resolve("discovery-report.png");
        page.screenshot(new Page.ScreenshotOptions().setPath(shot).setFullPage(true));
        byte[] png = Files.readAllBytes(shot);
        assertThat(png.length).isGreaterThan(10_000);
        assertThat(Arrays.copyOf(png, 8))
                .isEqualTo(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    }

    /**
     * A shop's history, simulated so that the cells look like a real run: users differ in how
     * engaged they are, engaged users do every action more often and come back more often, and
     * buying makes a user come back on top of that. Seeded, so the page is the same every run.
     */
    private record History(List<Cell> cells) {
        static final int COHORT = 18_000;
        static final long USERS_READ = 23_570;
        static final long EVENTS_READ = 1_482_316;
        static final long END = 899_164_800_000L; // 1998-06-30T00:00:00Z

        /** Events per day at the start, for an average user; activity fades over the month. */
        private static final double[] DAILY_RATE = {1.5, 0.4, 0.15};

        static History simulate() {
            Random random = new Random(20_260_101L);
            // users x actions x days: how many times each action was done by the end of day d
            int[][][] done = new int[COHORT][ACTIONS.size()][31];
            boolean[] retained = new boolean[COHORT];
            for (int u = 0; u < COHORT; u++) {
                double engagement = Math.exp(random.nextGaussian() * 0.8 - 0.3);
                for (int a = 0; a < ACTIONS.size(); a++) {
                    for (int d = 1; d <= 30; d++) {
                        double rate = DAILY_RATE[a] * engagement * Math.exp(-(d - 1) / 6.0);
                        done[u][a][d] = done[u][a][d - 1] + poisson(random, rate);
                    }
                }
                int purchases = done[u][2][30];
                double logit = -2.4 + Math.log(engagement) + 0.9 * Math.min(purchases, 3);
                retained[u] = random.nextDouble() < 1 / (1 + Math.exp(-logit));
            }
            List<Cell> cells = new ArrayList<>();
            for (int a = 0; a < ACTIONS.size(); a++) {
                for (int n : COUNTS) {
                    for (int d : DAYS) {
                        long n11 = 0, n10 = 0, n01 = 0, n00 = 0;
                        for (int u = 0; u < COHORT; u++) {
                            boolean above = done[u][a][d] >= n;
                            if (above && retained[u]) {
                                n11++;
                            } else if (above) {
                                n10++;
                            } else if (retained[u]) {
                                n01++;
                            } else {
                                n00++;
                            }
                        }
                        cells.add(Cell.of(ACTIONS.get(a), n, d, n11, n10, n01, n00));
                    }
                }
            }
            // SPEC section 8: phi, then smaller D, then smaller N, then action name
            cells.sort(
                    Comparator.comparingDouble(Cell::phi)
                            .reversed()
                            .thenComparingInt(Cell::days)
                            .thenComparingInt(Cell::count)
                            .thenComparing(Cell::action));
            return new History(cells);
        }

        private static int poisson(Random random, double mean) {
            double limit = Math.exp(-mean);
            double product = random.nextDouble();
            int k = 0;
            while (product > limit) {
                product *= random.nextDouble();
                k++;
            }
            return k;
        }
    }
}
