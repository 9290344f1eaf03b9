package io.guidance.discover;

import java.util.Locale;

/**
 * Numbers and text as the reports show them, and escaping for HTML and SVG; shared by the discovery
 * report and {@code io.guidance.report}.
 */
public final class ReportFormat {
    /** Shown for a figure whose denominator is 0. */
    public static final String ABSENT = "\u2013";

    private ReportFormat() {}

    /** "at least 3 in first 7 days". */
    public static String threshold(Cell c) {
        return "at least " + c.count() + " in first " + days(c.days());
    }

    public static String times(int n) {
        return n == 1 ? "once" : n + " times";
    }

    public static String days(int d) {
        return d == 1 ? "day" : d + " days";
    }

    public static String shorten(String s, int max) {
        if (s.codePointCount(0, s.length()) <= max) {
            return s;
        }
        return s.substring(0, s.offsetByCodePoints(0, max - 1)) + "\u2026";
    }

    public static String phi(double phi) {
        if (!Double.isFinite(phi)) {
            return ABSENT;
        }
        double rounded = Math.round(phi * 100) / 100.0;
        return String.format(Locale.ROOT, "%.2f", rounded == 0 ? 0.0 : rounded);
    }

    public static String percent1(Double share) {
        return share == null || share.isNaN()
                ? ABSENT
                : String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    public static String percent0(Double share) {
        return share == null || share.isNaN()
                ? ABSENT
                : String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    public static String fixed1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    public static String fixed3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /**
     * Text for HTML content and attribute values. Control characters that XML forbids become
     * U+FFFD, so the page stays well-formed whatever the input held.
     */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    boolean forbidden =
                            (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
                                    || ch == 0xfffe
                                    || ch == 0xffff;
                    b.append(forbidden ? '\ufffd' : ch);
                }
            }
        }
        return b.toString();
    }

    /** The width, height and view box of an SVG chart, up to the opening of its title. */
    public static StringBuilder svgSize(StringBuilder out, int width, int height) {
        return out.append(" width=\"")
                .append(width)
                .append("\" height=\"")
                .append(height)
                .append("\" viewBox=\"0 0 ")
                .append(width)
                .append(' ')
                .append(height)
                .append("\" role=\"img\"><title>");
    }

    /** One fact of a page's fact grid: a term and its value (HTML). */
    public static void fact(StringBuilder out, String term, String html) {
        fact(out, term, html, false);
    }

    /** A wide fact takes two columns of the grid, for text that would wrap into a narrow tower. */
    public static void fact(StringBuilder out, String term, String html, boolean wide) {
        out.append(wide ? "<div class=\"wide\"><dt>" : "<div><dt>")
                .append(term)
                .append("</dt><dd>")
                .append(html)
                .append("</dd></div>\n");
    }
}
