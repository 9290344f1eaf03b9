package io.guidance.discover;

/**
 * One cell of discovery (SPEC section 8): "did {@code action} at least {@code count} times in the
 * first {@code days} days" against retention, over the cohort. The four counts are the 2x2 table;
 * the figures follow from them. A figure whose denominator is 0 is {@code null} (absent in {@code
 * cells.jsonl}); {@code phi} is 0 when a margin is 0.
 *
 * @param n11 users with X who were retained
 * @param n10 users with X who were not retained
 * @param n01 users without X who were retained
 * @param n00 users without X who were not retained
 */
public record Cell(
        String action,
        int count,
        int days,
        long n11,
        long n10,
        long n01,
        long n00,
        double phi,
        double shareAbove,
        Double ppv,
        Double sensitivity,
        Double specificity,
        Double npv) {

    /** Bands of SPEC section 8, by phi. */
    public enum Band {
        HIGHLY_PREDICTIVE("highly predictive"),
        MODERATE("moderate"),
        SLIGHT("slight"),
        NOT_PREDICTIVE("not predictive");

        public final String label;

        Band(String label) {
            this.label = label;
        }
    }

    /** The cell of a 2x2 table, with its figures computed as SPEC section 8 defines them. */
    public static Cell of(
            String action, int count, int days, long n11, long n10, long n01, long n00) {
        long n = n11 + n10 + n01 + n00;
        double above = n11 + n10;
        double below = n01 + n00;
        double retained = n11 + n01;
        double notRetained = n10 + n00;
        double product = above * below * retained * notRetained;
        double phi =
                product == 0 ? 0 : (n11 * (double) n00 - n10 * (double) n01) / Math.sqrt(product);
        return new Cell(
                action,
                count,
                days,
                n11,
                n10,
                n01,
                n00,
                phi,
                n == 0 ? 0 : above / n,
                ratio(n11, n11 + n10),
                ratio(n11, n11 + n01),
                ratio(n00, n00 + n10),
                ratio(n00, n00 + n01));
    }

    private static Double ratio(long numerator, long denominator) {
        return denominator == 0 ? null : numerator / (double) denominator;
    }

    /** Users in the cohort. */
    public long users() {
        return n11 + n10 + n01 + n00;
    }

    public Band band() {
        if (phi >= 0.4) {
            return Band.HIGHLY_PREDICTIVE;
        } else if (phi >= 0.3) {
            return Band.MODERATE;
        } else if (phi >= 0.2) {
            return Band.SLIGHT;
        }
        return Band.NOT_PREDICTIVE;
    }

    /**
     * True when fewer than 5% or more than 95% of the cohort are above the threshold: too rare or
     * too common.
     */
    public boolean flagged() {
        return shareAbove < 0.05 || shareAbove > 0.95;
    }

    /** Retention of the users at or above the threshold (= ppv), null when there are none. */
    public Double retentionAbove() {
        return ppv;
    }

    /** Retention of the users below the threshold, null when there are none. */
    public Double retentionBelow() {
        return ratio(n01, n01 + n00);
    }
}
