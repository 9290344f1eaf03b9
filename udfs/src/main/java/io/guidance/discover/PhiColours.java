package io.guidance.discover;

import java.util.List;
import java.util.Locale;

/** The colours of phi, shared by the heat maps and their legend. */
final class PhiColours {
    /** ColorBrewer's PRGn, from 0 outwards: green for positive phi, purple for negative. */
    private static final int[] POSITIVE = {0xf7f7f7, 0xd9f0d3, 0xa6dba0, 0x5aae61, 0x1b7837};

    private static final int[] NEGATIVE = {0xf7f7f7, 0xe7d4e8, 0xc2a5cf, 0x9970ab, 0x762a83};

    private PhiColours() {}

    /** The largest |phi|, rounded up to a tenth: all heat maps share one scale, so they compare. */
    static double scale(List<Cell> cells) {
        double max = 0;
        for (Cell c : cells) {
            if (Double.isFinite(c.phi())) {
                max = Math.max(max, Math.abs(c.phi()));
            }
        }
        return Math.min(1, Math.max(0.1, Math.ceil(max * 10 - 1e-9) / 10));
    }

    /** Diverging around 0: phi at -scale is deep purple, 0 near white, +scale deep green. */
    static int color(double phi, double scale) {
        double t = Double.isFinite(phi) ? Math.max(-1, Math.min(1, phi / scale)) : 0;
        int[] stops = t >= 0 ? POSITIVE : NEGATIVE;
        double x = Math.abs(t) * (stops.length - 1);
        int i = Math.min((int) Math.floor(x), stops.length - 2);
        double f = x - i;
        int a = stops[i];
        int b = stops[i + 1];
        int r = mix(a >> 16, b >> 16, f);
        int g = mix((a >> 8) & 0xff, (b >> 8) & 0xff, f);
        int bl = mix(a & 0xff, b & 0xff, f);
        return (r << 16) | (g << 8) | bl;
    }

    static int mix(int a, int b, double f) {
        return (int) Math.round((a & 0xff) + (b - (a & 0xff)) * f) & 0xff;
    }

    static boolean dark(int rgb) {
        double luma = 0.299 * (rgb >> 16) + 0.587 * ((rgb >> 8) & 0xff) + 0.114 * (rgb & 0xff);
        return luma < 140;
    }

    static String hex(int rgb) {
        return String.format(Locale.ROOT, "#%06x", rgb);
    }
}
