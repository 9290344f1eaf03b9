package io.guidance.experiment.stats;

/**
 * What an experiment counted for one arm (SPEC section 7): its configured share in percent, the
 * users exposed and, of those, the users converted.
 */
public record ArmCounts(String arm, int share, long exposed, long converted) {
    public ArmCounts {
        if (arm == null || arm.isEmpty()) {
            throw new IllegalArgumentException("an arm needs a name");
        }
        if (share < 0 || share > 100) {
            throw new IllegalArgumentException(
                    "arm " + arm + ": share must be 0-100 percent, not " + share);
        }
        if (exposed < 0 || converted < 0) {
            throw new IllegalArgumentException(
                    "arm " + arm + ": counts must be >= 0, not " + exposed + "/" + converted);
        }
        if (converted > exposed) {
            throw new IllegalArgumentException(
                    "arm "
                            + arm
                            + ": "
                            + converted
                            + " converted of "
                            + exposed
                            + " exposed (only exposed users can convert)");
        }
    }
}
