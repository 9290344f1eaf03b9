package io.guidance.discover;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * The report of SPEC section 8 read back from its HTML. The page is well-formed XML by design, so a
 * plain XML parser and XPath read it the way a browser lays it out.
 */
class DiscoveryReportTest {
    private static final long DAY = 86_400_000L;
    private static final String HOSTILE = "<script>alert(\"x\")</script> & 'quoted'";

    /**
     * A hand-written ranking, in the order a run would hand it over, with phi on and around the
     * band limits and shareAbove on and around the flag limits.
     */
    private static final List<Cell> RANKED =
            List.of(
                    figures("purchase", 1, 30, 0.52, 0.97), // flagged: too common
                    figures("purchase", 3, 7, 0.45, 0.10),
                    figures("add_to_cart", 2, 7, 0.40, 0.95), // on the limit: not flagged
                    figures("add_to_cart", 5, 1, 0.39, 0.049), // flagged: too rare
                    figures("purchase", 2, 1, 0.30, 0.05), // on the limit: not flagged
                    figures("page_view", 4, 14, 0.2999, 0.40),
                    figures("page_view", 1, 1, 0.20, 0.951), // flagged: too common
                    figures("add_to_cart", 1, 14, 0.1999, 0.60),
                    figures("page_view", 10, 1, -0.15, 0.30),
                    Cell.of("purchase", 9, 1, 0, 0, 30, 70)); // nobody above: figures absent

    private static Cell figures(String action, int count, int days, double phi, double share) {
        // the counts and the other figures play no part in bands and flags
        return new Cell(action, count, days, 10, 10, 10, 70, phi, share, 0.5, 0.5, 0.875, 0.875);
    }

    private static DiscoveryReport.Input input(List<Cell> ranked) {
        return new DiscoveryReport.Input(
                ranked, "30d-365d", 30 * DAY, 365 * DAY, null, 12_000, 20_000, 1_500_000, 3, 0L);
    }

    @Test
    void theRankingTableKeepsTheOrderGiven() throws Exception {
        Document page = parse(DiscoveryReport.html(input(RANKED)));
        List<Element> rows = elements(page, "//table[@class='ranking']/tbody/tr");
        assertThat(rows).hasSize(RANKED.size());
        for (int i = 0; i < rows.size(); i++) {
            Cell c = RANKED.get(i);
            Element row = rows.get(i);
            assertThat(row.getAttribute("data-rank")).isEqualTo(Integer.toString(i + 1));
            assertThat(cellText(row, 1)).isEqualTo(Integer.toString(i + 1));
            assertThat(cellText(row, 2)).isEqualTo(c.action());
            assertThat(cellText(row, 3))
                    .isEqualTo(
                            "at least "
                                    + c.count()
                                    + " in first "
                                    + (c.days() == 1 ? "day" : c.days() + " days"));
        }
    }

    @Test
    void eachRowShowsTheBandOfItsPhi() throws Exception {
        Document page = parse(DiscoveryReport.html(input(RANKED)));
        List<Element> rows = elements(page, "//table[@class='ranking']/tbody/tr");
        List<String> bands = new ArrayList<>();
        for (Element row : rows) {
            bands.add(cellText(row, 5));
        }
        assertThat(bands)
                .containsExactly(
                        "highly predictive", // 0.52
                        "highly predictive", // 0.45
                        "highly predictive", // 0.40
                        "moderate", // 0.39
                        "moderate", // 0.30
                        "slight", // 0.2999
                        "slight", // 0.20
                        "not predictive", // 0.1999
                        "not predictive", // -0.15
                        "not predictive"); // 0
        assertThat(cellText(rows.get(0), 4)).isEqualTo("0.52");
        assertThat(cellText(rows.get(5), 4)).isEqualTo("0.30"); // 0.2999 rounded, band kept
        assertThat(cellText(rows.get(8), 4)).isEqualTo("-0.15");
    }

    @Test
    void theFlagIsShownExactlyForCellsUnderFiveOrOverNinetyFivePercentAbove() throws Exception {
        Document page = parse(DiscoveryReport.html(input(RANKED)));
        List<Element> rows = elements(page, "//table[@class='ranking']/tbody/tr");
        List<Integer> flaggedRanks = new ArrayList<>();
        for (Element row : rows) {
            int flags = elements(row, ".//span[@class='flag']").size();
            assertThat(flags).isLessThanOrEqualTo(1);
            if (flags == 1) {
                flaggedRanks.add(Integer.parseInt(row.getAttribute("data-rank")));
            }
        }
        // shares 0.97, 0.049, 0.951 and 0 (nobody above); 0.05 and 0.95 are on the limits
        assertThat(flaggedRanks).containsExactly(1, 4, 7, 10);
        assertThat(cellText(rows.get(0), 13)).contains("too common");
        assertThat(cellText(rows.get(3), 13)).contains("too rare");
        assertThat(cellText(rows.get(9), 13)).contains("too rare");

        // the heat maps hatch the same cells
        List<String> hatched = new ArrayList<>();
        for (Element g : elements(page, "//svg[@class='heatmap']/g[@class='cell flagged']")) {
            String action = ((Element) g.getParentNode()).getAttribute("data-action");
            hatched.add(
                    action
                            + " "
                            + g.getAttribute("data-count")
                            + "/"
                            + g.getAttribute("data-days"));
        }
        assertThat(hatched)
                .containsExactlyInAnyOrder(
                        "purchase 1/30", "add_to_cart 5/1", "page_view 1/1", "purchase 9/1");
    }

    @Test
    void absentFiguresAreShownAsADash() throws Exception {
        Document page = parse(DiscoveryReport.html(input(RANKED)));
        Element nobodyAbove = elements(page, "//table[@class='ranking']/tbody/tr").get(9);
        // n11 = n10 = 0: retained above and ppv have no denominator; the rest do
        assertThat(cellText(nobodyAbove, 6)).isEqualTo("0.0%"); // share above
        assertThat(cellText(nobodyAbove, 7)).isEqualTo("\u2013"); // retained above
        assertThat(cellText(nobodyAbove, 8)).isEqualTo("30.0%"); // retained below: 30 / 100
        assertThat(cellText(nobodyAbove, 9)).isEqualTo("\u2013"); // ppv
        assertThat(cellText(nobodyAbove, 10)).isEqualTo("0.0%"); // sensitivity: 0 / 30
        assertThat(cellText(nobodyAbove, 11)).isEqualTo("100.0%"); // specificity: 70 / 70
        assertThat(cellText(nobodyAbove, 12)).isEqualTo("70.0%"); // npv: 70 / 100
    }

    @Test
    void theHeaderSaysWhatWasAskedAndTheBestUnflaggedThreshold() throws Exception {
        // 1000 users purchased 3 times in 7 days, 540 of them retained; 10000 did not, 1200
        // retained
        Cell best = Cell.of("purchase", 3, 7, 540, 460, 1200, 8800);
        Cell rare = Cell.of("purchase", 5, 1, 400, 0, 1340, 9260); // 400 / 11000 above: flagged
        double phi =
                (540.0 * 8800 - 460.0 * 1200)
                        / Math.sqrt((540.0 + 460) * (1200 + 8800) * (540 + 1200) * (460 + 8800));
        assertThat(phi).isBetween(0.3, 0.4); // about 0.33: moderate
        assertThat(rare.phi()).isGreaterThan(best.phi()); // so the sentence must pass it over
        DiscoveryReport.Input in =
                new DiscoveryReport.Input(
                        List.of(rare, best),
                        "30d-365d",
                        30 * DAY,
                        365 * DAY,
                        "purchase",
                        11_000,
                        23_570,
                        69_659,
                        2,
                        867_715_200_000L); // 1997-07-01T00:00:00Z: 10043 days after 1970-01-01
        Document page = parse(DiscoveryReport.html(in));
        String verdict = text(page, "//p[@class='verdict']");
        assertThat(verdict)
                .isEqualTo(
                        "Users who did purchase at least 3 times in their first 7 days were"
                                + " retained 54% vs 12%: phi "
                                + String.format(Locale.ROOT, "%.2f", phi)
                                + ", moderate.");
        String asked = text(page, "//dl[@class='asked']");
        // retention 30d-365d: ts in [firstSeen + 30 d, firstSeen + 365 d), days 31 to 365
        assertThat(asked)
                .contains("on days 31\u2013365")
                .contains("purchase")
                .contains("11,000 users")
                .contains("23,570")
                .contains("69,659")
                .contains("Bad lines2")
                .contains("1997-07-01 00:00:00 UTC");
    }

    @Test
    void aHostileActionNameAppearsAsText() throws Exception {
        List<Cell> ranked =
                List.of(figures(HOSTILE, 2, 7, 0.42, 0.30), figures("purchase", 1, 7, 0.1, 0.5));
        DiscoveryReport.Input in =
                new DiscoveryReport.Input(
                        ranked, "7d-14d", 7 * DAY, 14 * DAY, HOSTILE, 10, 10, 100, 0, 0L);
        String html = DiscoveryReport.html(in);
        assertThat(html).doesNotContainIgnoringCase("<script");
        Document page = parse(html);
        assertThat(elements(page, "//script")).isEmpty();
        Element first = elements(page, "//table[@class='ranking']/tbody/tr").get(0);
        assertThat(cellText(first, 2)).isEqualTo(HOSTILE);
        assertThat(text(page, "//p[@class='verdict']/b")).isEqualTo(HOSTILE);
        assertThat(text(page, "//figure[1]/figcaption")).isEqualTo(HOSTILE);
        assertThat(elements(page, "//svg[@class='heatmap']").get(0).getAttribute("data-action"))
                .isEqualTo(HOSTILE);
    }

    @Test
    void thePageIsSelfContained() {
        String html = DiscoveryReport.html(input(RANKED));
        assertThat(html)
                .doesNotContainIgnoringCase("http://")
                .doesNotContainIgnoringCase("https://")
                .doesNotContainIgnoringCase("<script")
                .doesNotContainIgnoringCase("<link")
                .doesNotContainIgnoringCase("<img")
                .doesNotContainIgnoringCase("@import")
                .doesNotContain("//")
                .contains("<style>");
        // every url() points into the page itself
        int at = html.indexOf("url(");
        while (at >= 0) {
            assertThat(html.charAt(at + 4)).as(html.substring(at, at + 20)).isEqualTo('#');
            at = html.indexOf("url(", at + 1);
        }
    }

    @Test
    void oneHeatMapPerActionWithEveryCellAndTheBestUnflaggedOutlined() throws Exception {
        Document page = parse(DiscoveryReport.html(input(RANKED)));
        List<Element> maps = elements(page, "//svg[@class='heatmap']");
        Set<String> actions = new LinkedHashSet<>();
        RANKED.forEach(c -> actions.add(c.action()));
        List<String> mapActions = new ArrayList<>();
        maps.forEach(m -> mapActions.add(m.getAttribute("data-action")));
        // in the order of each action's best cell
        assertThat(mapActions).containsExactlyElementsOf(actions);
        for (Element map : maps) {
            String action = map.getAttribute("data-action");
            long cells = RANKED.stream().filter(c -> c.action().equals(action)).count();
            List<Element> drawn = elements(map, "./g[starts-with(@class,'cell')]");
            assertThat(drawn).as(action).hasSize((int) cells);
            for (Element g : drawn) {
                Cell c =
                        RANKED.stream()
                                .filter(
                                        x ->
                                                x.action().equals(action)
                                                        && Integer.toString(x.count())
                                                                .equals(
                                                                        g.getAttribute(
                                                                                "data-count"))
                                                        && Integer.toString(x.days())
                                                                .equals(
                                                                        g.getAttribute(
                                                                                "data-days")))
                                .findFirst()
                                .orElseThrow();
                assertThat(text(g, "./text"))
                        .isEqualTo(String.format(Locale.ROOT, "%.2f", c.phi()));
            }
            assertThat(elements(map, "./rect[@class='best']")).as(action).hasSize(1);
        }
        // purchase's best unflagged is 3 in 7 days, the second row of the grid (counts 1,2,3,9)
        // and the second column (days 1,7,30): its outline sits on that cell
        Element purchase = maps.get(0);
        Element best = elements(purchase, "./rect[@class='best']").get(0);
        Element cell = elements(purchase, "./g[@data-count='3'][@data-days='7']/rect").get(0);
        double cx = Double.parseDouble(cell.getAttribute("x"));
        double cy = Double.parseDouble(cell.getAttribute("y"));
        double bx = Double.parseDouble(best.getAttribute("x"));
        double by = Double.parseDouble(best.getAttribute("y"));
        assertThat(bx - cx).isBetween(0.0, 3.0);
        assertThat(by - cy).isBetween(0.0, 3.0);
    }

    @Test
    void theTableShowsTheTopTwentyFiveAndTheBarsTheTopFiveUnflagged() throws Exception {
        List<Cell> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // every third cell too rare
            many.add(figures("a" + i, 1, 1, 0.5 - i * 0.01, i % 3 == 0 ? 0.01 : 0.5));
        }
        Document page = parse(DiscoveryReport.html(input(many)));
        assertThat(elements(page, "//table[@class='ranking']/tbody/tr")).hasSize(25);
        List<String> labels = new ArrayList<>();
        for (Element label : elements(page, "//svg[@class='bars']//text[@class='label']")) {
            labels.add(label.getTextContent());
        }
        assertThat(labels).containsExactly("a1", "a2", "a4", "a5", "a7");
        assertThat(elements(page, "//svg[@class='heatmap']")).hasSize(40);
    }

    @Test
    void anEmptyRunStillMakesAPage() throws Exception {
        Document page = parse(DiscoveryReport.html(input(List.of())));
        assertThat(text(page, "//p[@class='verdict']")).contains("nothing to rank");
        assertThat(elements(page, "//table")).isEmpty();
    }

    // ---- reading the page

    private static Document parse(String html) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setExpandEntityReferences(false);
        return factory.newDocumentBuilder().parse(new InputSource(new StringReader(html)));
    }

    private static List<Element> elements(Node from, String xpath) throws Exception {
        XPath x = XPathFactory.newInstance().newXPath();
        NodeList nodes = (NodeList) x.evaluate(xpath, from, XPathConstants.NODESET);
        List<Element> list = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            list.add((Element) nodes.item(i));
        }
        return list;
    }

    private static String text(Node from, String xpath) throws Exception {
        List<Element> found = elements(from, xpath);
        assertThat(found).as(xpath).isNotEmpty();
        return found.get(0).getTextContent();
    }

    /** The text of the row's n-th cell, from 1. */
    private static String cellText(Element row, int n) throws Exception {
        return text(row, "./td[" + n + "]");
    }
}
