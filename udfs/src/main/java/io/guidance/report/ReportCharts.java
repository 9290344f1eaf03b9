package io.guidance.report;

import io.guidance.discover.ReportFormat;
import io.guidance.experiment.Experiment;
import io.guidance.experiment.stats.ArmResult;
import io.guidance.experiment.stats.Comparison;
import io.guidance.experiment.stats.ExperimentResult;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.imageio.ImageIO;

/**
 * The report's charts, drawn with Java2D (headless) and returned as PNG data URIs, so that the page
 * holds them and opens from disk: triggers per day stacked by status, the guide funnel, and each
 * experiment's arm rates and differences with their intervals.
 */
final class ReportCharts {
    static final int WIDTH = 960;

    private static final Color INK = new Color(26, 26, 26);
    private static final Color MUTED = new Color(90, 90, 90);
    private static final Color GRID = new Color(228, 228, 228);
    private static final Color DELIVERED = new Color(27, 120, 55);
    private static final Color CONTROL = new Color(128, 100, 162);
    private static final Color HOLDOUT = new Color(84, 39, 136);
    private static final Color[] SUPPRESSED = {
        new Color(214, 96, 77), new Color(244, 165, 130), new Color(67, 147, 195),
        new Color(146, 197, 222), new Color(191, 129, 45), new Color(150, 150, 150)
    };
    private static final Color CI = new Color(33, 102, 172);
    private static final Color ALWAYS_VALID = new Color(150, 185, 220);

    /** Normal quantile of a two-sided 95% interval (SPEC section 7). */
    private static final double Z = 1.959964;

    private ReportCharts() {}

    // ---- triggers per day

    /** Triggers per UTC day, stacked by status; days without triggers are drawn empty. */
    static String triggersPerDay(SortedMap<String, SortedMap<String, Long>> perDay) {
        List<String> days = allDays(perDay);
        TreeSet<String> statuses = new TreeSet<>(ReportCharts::statusOrder);
        perDay.values().forEach(m -> statuses.addAll(m.keySet()));
        long max = 1;
        for (SortedMap<String, Long> m : perDay.values()) {
            max = Math.max(max, m.values().stream().mapToLong(Long::longValue).sum());
        }
        int left = 70;
        int right = 200;
        int top = 20;
        int bottom = 56;
        int height = 300;
        Canvas c = new Canvas(WIDTH, height);
        double step = niceStep(max);
        double yMax = Math.ceil(max / step) * step;
        int plotW = WIDTH - left - right;
        int plotH = height - top - bottom;
        c.yGrid(left, top, plotW, plotH, yMax, step, false);
        double slot = plotW / (double) Math.max(1, days.size());
        double barW = Math.max(1, slot * 0.8);
        for (int i = 0; i < days.size(); i++) {
            SortedMap<String, Long> m = perDay.getOrDefault(days.get(i), new TreeMap<>());
            double y = top + plotH;
            double x = left + i * slot + (slot - barW) / 2;
            for (String s : statuses) {
                long n = m.getOrDefault(s, 0L);
                if (n == 0) {
                    continue;
                }
                double h = plotH * n / yMax;
                c.g.setColor(colour(s));
                c.g.fill(new Rectangle2D.Double(x, y - h, barW, h));
                y -= h;
            }
        }
        // day labels: about eight, evenly spaced, first and last always
        c.g.setFont(c.small);
        c.g.setColor(MUTED);
        int every = Math.max(1, (int) Math.ceil(days.size() / 8.0));
        int n = days.size();
        for (int i = 0; i < n; i++) {
            boolean last = i == n - 1;
            boolean regular = i % every == 0 && (last || n - 1 - i >= every);
            if (regular || last) {
                c.centre(days.get(i), (int) (left + (i + 0.5) * slot), top + plotH + 16);
            }
        }
        c.g.setFont(c.axis);
        c.g.setColor(INK);
        c.centre("day (UTC)", left + plotW / 2, height - 12);
        c.verticalTitle("triggers per day", 16, top + plotH / 2);
        Map<String, Color> legend = new LinkedHashMap<>();
        statuses.forEach(s -> legend.put(s, colour(s)));
        c.legend(legend, WIDTH - right + 16, top + 4);
        return c.png();
    }

    private static List<String> allDays(SortedMap<String, SortedMap<String, Long>> perDay) {
        List<String> days = new ArrayList<>();
        if (perDay.isEmpty()) {
            return days;
        }
        LocalDate first = LocalDate.parse(perDay.firstKey());
        LocalDate last = LocalDate.parse(perDay.lastKey());
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
            days.add(d.toString());
        }
        return days;
    }

    /** delivered first, then the policy's checks in SPEC order, then the rest by name. */
    static int statusOrder(String a, String b) {
        int c = Integer.compare(rank(a), rank(b));
        return c != 0 ? c : a.compareTo(b);
    }

    private static final List<String> STATUS_ORDER =
            List.of(
                    "delivered",
                    "suppressed:control",
                    "suppressed:holdout",
                    "suppressed:dismissed",
                    "suppressed:cooldown",
                    "suppressed:min_gap",
                    "suppressed:daily_cap");

    private static int rank(String status) {
        int i = STATUS_ORDER.indexOf(status);
        return i < 0 ? STATUS_ORDER.size() : i;
    }

    static Color colour(String status) {
        return switch (status) {
            case "delivered" -> DELIVERED;
            case "suppressed:control" -> CONTROL;
            case "suppressed:holdout" -> HOLDOUT;
            case "suppressed:dismissed" -> SUPPRESSED[0];
            case "suppressed:cooldown" -> SUPPRESSED[1];
            case "suppressed:min_gap" -> SUPPRESSED[2];
            case "suppressed:daily_cap" -> SUPPRESSED[3];
            default -> SUPPRESSED[4 + Math.floorMod(status.hashCode(), 2)];
        };
    }

    // ---- the guide funnel

    private static final String[] STAGES = {
        "delivered", "shown", "clicked", "completed", "dismissed"
    };
    private static final Color[] STAGE_COLOURS = {
        DELIVERED,
        new Color(65, 171, 93),
        new Color(116, 196, 118),
        new Color(0, 90, 50),
        SUPPRESSED[0]
    };

    /** Per guide, horizontal bars: delivered, then shown, clicked, completed and dismissed. */
    static String funnel(List<GuideFunnel> guides) {
        long max = 1;
        for (GuideFunnel f : guides) {
            for (long v : stages(f)) {
                max = Math.max(max, v);
            }
        }
        int left = 230;
        int right = 150;
        int top = 34;
        int bar = 16;
        int block = STAGES.length * (bar + 3) + 18;
        int height = top + guides.size() * block + 10;
        Canvas c = new Canvas(WIDTH, height);
        int plotW = WIDTH - left - right;
        double step = niceStep(max);
        double xMax = Math.ceil(max / step) * step;
        c.g.setFont(c.small);
        for (double v = 0; v <= xMax + step / 2; v += step) {
            int x = left + (int) Math.round(plotW * v / xMax);
            c.g.setColor(GRID);
            c.g.drawLine(x, top - 6, x, height - 8);
            c.g.setColor(MUTED);
            c.centre(ReportFormat.count((long) v), x, top - 12);
        }
        for (int i = 0; i < guides.size(); i++) {
            GuideFunnel f = guides.get(i);
            int y = top + i * block;
            c.g.setFont(c.label);
            c.g.setColor(INK);
            c.g.drawString(ReportFormat.shorten(f.guide(), 26), 10, y + bar - 2);
            long[] v = stages(f);
            for (int s = 0; s < STAGES.length; s++) {
                int by = y + s * (bar + 3);
                c.g.setFont(c.small);
                c.g.setColor(MUTED);
                c.rightAligned(STAGES[s], left - 8, by + bar - 4);
                int w = (int) Math.round(plotW * v[s] / xMax);
                c.g.setColor(STAGE_COLOURS[s]);
                c.g.fillRect(left, by, Math.max(w, v[s] > 0 ? 1 : 0), bar);
                c.g.setColor(INK);
                String text = ReportFormat.count(v[s]);
                if (s > 0 && v[0] > 0) {
                    text += String.format(Locale.ROOT, " (%.0f%%)", 100.0 * v[s] / v[0]);
                }
                c.g.drawString(text, left + w + 6, by + bar - 4);
            }
        }
        return c.png();
    }

    private static long[] stages(GuideFunnel f) {
        return new long[] {f.delivered(), f.shown(), f.clicked(), f.completed(), f.dismissed()};
    }

    // ---- an experiment

    /**
     * Two panels, one row per arm. Left: the arm's conversion rate, with its 95% interval (normal
     * approximation). Right: the difference from the control arm, with its 95% interval (thick) and
     * its always-valid 95% interval (wide, light).
     */
    static String experiment(ExperimentResult r) {
        List<ArmResult> arms = r.arms();
        Map<String, Comparison> byArm = new LinkedHashMap<>();
        r.comparisons().forEach(x -> byArm.put(x.arm(), x));
        int labelW = 170;
        int gap = 40;
        int panelW = (WIDTH - labelW - gap - 30) / 2;
        int top = 44;
        int row = 34;
        int bottom = 46;
        int height = top + Math.max(1, arms.size()) * row + bottom;
        Canvas c = new Canvas(WIDTH, height);
        double rateMax = 0.01;
        double diffAbs = 0.01;
        for (ArmResult a : arms) {
            double[] ci = rateInterval(a);
            if (ci != null) {
                rateMax = Math.max(rateMax, ci[1]);
            }
        }
        for (Comparison x : r.comparisons()) {
            for (double[] ci : new double[][] {x.ci95(), x.alwaysValid95()}) {
                // an always-valid interval of few users may be unbounded: the axis stops at 100 pp
                for (double v : ci == null ? new double[0] : ci) {
                    if (!Double.isNaN(v)) {
                        diffAbs = Math.max(diffAbs, Math.abs(v));
                    }
                }
            }
        }
        diffAbs = Math.min(diffAbs, 1);
        double rateStep = niceStep(rateMax);
        rateMax = Math.min(1, Math.ceil(rateMax / rateStep) * rateStep);
        double diffStep = niceStep(diffAbs * 2); // two or three ticks each side of 0
        diffAbs = Math.ceil(diffAbs / diffStep) * diffStep;
        int leftX = labelW;
        int rightX = labelW + panelW + gap;
        int plotH = arms.size() * row;
        c.g.setFont(c.label);
        c.g.setColor(INK);
        c.centre("conversion rate by arm (95% interval)", leftX + panelW / 2, 18);
        c.centre(
                "difference from " + controlOf(r) + " (percentage points)",
                rightX + panelW / 2,
                18);
        // grids
        c.g.setFont(c.small);
        for (double v = 0; v <= rateMax + rateStep / 2; v += rateStep) {
            int x = leftX + (int) Math.round(panelW * v / rateMax);
            c.g.setColor(GRID);
            c.g.drawLine(x, top - 4, x, top + plotH);
            c.g.setColor(MUTED);
            c.centre(String.format(Locale.ROOT, "%s%%", trim(v * 100)), x, top + plotH + 16);
        }
        for (double v = -diffAbs; v <= diffAbs + diffStep / 2; v += diffStep) {
            int x = rightX + (int) Math.round(panelW * (v + diffAbs) / (2 * diffAbs));
            c.g.setColor(Math.abs(v) < diffStep / 2 ? MUTED : GRID);
            c.g.drawLine(x, top - 4, x, top + plotH);
            c.g.setColor(MUTED);
            c.centre(signed(v * 100), x, top + plotH + 16);
        }
        for (int i = 0; i < arms.size(); i++) {
            ArmResult a = arms.get(i);
            int y = top + i * row + row / 2;
            c.g.setFont(c.label);
            c.g.setColor(INK);
            c.rightAligned(ReportFormat.shorten(a.arm(), 20), labelW - 10, y + 4);
            double[] ci = rateInterval(a);
            if (a.rate() != null && ci != null) {
                int x0 = leftX + (int) Math.round(panelW * ci[0] / rateMax);
                int x1 = leftX + (int) Math.round(panelW * Math.min(ci[1], rateMax) / rateMax);
                whisker(c, x0, x1, y, CI, 2.5f);
                dot(c, leftX + (int) Math.round(panelW * a.rate() / rateMax), y, CI);
            } else {
                c.g.setFont(c.small);
                c.g.setColor(MUTED);
                c.g.drawString("no exposure", leftX + 6, y + 4);
            }
            Comparison x = byArm.get(a.arm());
            c.g.setFont(c.small);
            if (x != null) {
                if (x.alwaysValid95() != null) {
                    whisker(
                            c,
                            diffX(rightX, panelW, diffAbs, x.alwaysValid95()[0]),
                            diffX(rightX, panelW, diffAbs, x.alwaysValid95()[1]),
                            y,
                            ALWAYS_VALID,
                            7f);
                }
                if (x.ci95() != null) {
                    whisker(
                            c,
                            diffX(rightX, panelW, diffAbs, x.ci95()[0]),
                            diffX(rightX, panelW, diffAbs, x.ci95()[1]),
                            y,
                            CI,
                            2.5f);
                }
                dot(
                        c,
                        diffX(rightX, panelW, diffAbs, x.diff()),
                        y,
                        x.significant() ? DELIVERED : CI);
            } else {
                c.g.setColor(MUTED);
                String why = a.arm().equals(controlOf(r)) ? "reference arm" : "not compared";
                c.centre(why, rightX + panelW / 2, y + 4);
            }
        }
        // key
        int ky = height - 12;
        c.g.setFont(c.small);
        FontMetrics fm = c.g.getFontMetrics();
        int kx = leftX;
        c.g.setColor(CI);
        c.g.setStroke(new BasicStroke(2.5f));
        c.g.drawLine(kx, ky - 4, kx + 24, ky - 4);
        c.g.setColor(INK);
        String ci = "95% interval";
        c.g.drawString(ci, kx + 30, ky);
        kx += 30 + fm.stringWidth(ci) + 24;
        c.g.setColor(ALWAYS_VALID);
        c.g.setStroke(new BasicStroke(7f));
        c.g.drawLine(kx, ky - 4, kx + 24, ky - 4);
        c.g.setStroke(new BasicStroke(1f));
        c.g.setColor(INK);
        String av = "always-valid 95% interval (holds however often it is read)";
        c.g.drawString(av, kx + 30, ky);
        kx += 30 + fm.stringWidth(av) + 24;
        c.g.setColor(DELIVERED);
        c.g.fillOval(kx, ky - 9, 10, 10);
        c.g.setColor(INK);
        c.g.drawString("significant difference", kx + 16, ky);
        return c.png();
    }

    /** The arm the others are compared with. */
    static String controlOf(ExperimentResult r) {
        return r.comparisons().isEmpty()
                ? (Experiment.PROGRAM.equals(r.experiment())
                        ? Experiment.HOLDOUT
                        : Experiment.CONTROL)
                : r.comparisons().get(0).vs();
    }

    /** An arm rate's 95% interval, normal approximation, clipped to [0, 1]; null without users. */
    static double[] rateInterval(ArmResult a) {
        if (a.exposed() == 0 || a.rate() == null) {
            return null;
        }
        double p = a.rate();
        double half = Z * Math.sqrt(p * (1 - p) / a.exposed());
        return new double[] {Math.max(0, p - half), Math.min(1, p + half)};
    }

    private static int diffX(int left, int width, double abs, double v) {
        double clipped = Double.isNaN(v) ? 0 : Math.max(-abs, Math.min(abs, v));
        return left + (int) Math.round(width * (clipped + abs) / (2 * abs));
    }

    private static void whisker(Canvas c, int x0, int x1, int y, Color colour, float width) {
        c.g.setColor(colour);
        c.g.setStroke(new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
        c.g.drawLine(x0, y, x1, y);
        if (width < 4) {
            c.g.drawLine(x0, y - 6, x0, y + 6);
            c.g.drawLine(x1, y - 6, x1, y + 6);
        }
        c.g.setStroke(new BasicStroke(1f));
    }

    private static void dot(Canvas c, int x, int y, Color colour) {
        c.g.setColor(Color.WHITE);
        c.g.fillOval(x - 7, y - 7, 14, 14);
        c.g.setColor(colour);
        c.g.fillOval(x - 5, y - 5, 10, 10);
    }

    // ---- pieces

    /** A step of 1, 2 or 5 times a power of ten giving about five grid lines up to max. */
    static double niceStep(double max) {
        if (max <= 0) {
            return 1;
        }
        double raw = max / 5;
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / power;
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return nice * power;
    }

    /** A tick of percentage points: "0", "+5", "-2.5". */
    private static String signed(double v) {
        double r = Math.round(v * 10) / 10.0;
        if (r == 0) {
            return "0";
        }
        return (r > 0 ? "+" : "\u2212") + trim(Math.abs(r));
    }

    private static String trim(double v) {
        double r = Math.round(v * 10) / 10.0;
        return r == Math.rint(r) ? Long.toString((long) r) : Double.toString(r);
    }

    /** A white image with anti-aliased drawing and the report's fonts. */
    private static final class Canvas {
        final BufferedImage img;
        final Graphics2D g;
        final Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        final Font label = new Font(Font.SANS_SERIF, Font.BOLD, 13);
        final Font axis = new Font(Font.SANS_SERIF, Font.PLAIN, 13);

        Canvas(int width, int height) {
            img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(
                    RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
        }

        /** Horizontal grid lines and their labels, from 0 to max. */
        void yGrid(int left, int top, int w, int h, double max, double step, boolean percent) {
            g.setFont(small);
            for (double v = 0; v <= max + step / 2; v += step) {
                int y = top + h - (int) Math.round(h * v / max);
                g.setColor(GRID);
                g.drawLine(left, y, left + w, y);
                g.setColor(MUTED);
                rightAligned(
                        percent ? trim(v * 100) + "%" : ReportFormat.count((long) v),
                        left - 6,
                        y + 4);
            }
            g.setColor(MUTED);
            g.drawLine(left, top + h, left + w, top + h);
        }

        void legend(Map<String, Color> keys, int x, int y) {
            g.setFont(small);
            int row = 0;
            for (Map.Entry<String, Color> k : keys.entrySet()) {
                int ky = y + row * 18;
                g.setColor(k.getValue());
                g.fillRect(x, ky, 12, 12);
                g.setColor(INK);
                g.drawString(ReportFormat.shorten(k.getKey(), 24), x + 18, ky + 11);
                row++;
            }
        }

        void centre(String text, int x, int y) {
            FontMetrics fm = g.getFontMetrics();
            g.drawString(text, x - fm.stringWidth(text) / 2, y);
        }

        void rightAligned(String text, int x, int y) {
            FontMetrics fm = g.getFontMetrics();
            g.drawString(text, x - fm.stringWidth(text), y);
        }

        void verticalTitle(String text, int x, int y) {
            Graphics2D r = (Graphics2D) g.create();
            r.translate(x, y);
            r.rotate(-Math.PI / 2);
            FontMetrics fm = r.getFontMetrics();
            r.drawString(text, -fm.stringWidth(text) / 2, 0);
            r.dispose();
        }

        /** The image as a {@code data:image/png;base64,...} URI. */
        String png() {
            g.dispose();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(32 * 1024);
            try {
                // in memory: ImageIO's default file cache would register a shutdown hook, which
                // fails while the JVM shuts down (the demo writes its report on Ctrl-C)
                ImageIO.setUseCache(false);
                ImageIO.write(img, "png", bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return "data:image/png;base64,"
                    + Base64.getEncoder().encodeToString(bytes.toByteArray());
        }
    }
}
