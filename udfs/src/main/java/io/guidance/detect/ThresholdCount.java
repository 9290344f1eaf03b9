package io.guidance.detect;

import java.util.ArrayList;
import java.util.List;

/**
 * State of one threshold rule for one user, compact whatever the user's history: {@code
 * sinceFirstSeen} keeps a count and whether the milestone fired; {@code rolling} keeps only the
 * times of the last {@code target} actions (enough to tell whether the count in the window reached
 * the target, and the count when it did not) and when the milestone last fired.
 */
public class ThresholdCount {
    public int count;
    public boolean reached;
    public List<Long> recent = new ArrayList<>();
    public long lastReached = Long.MIN_VALUE;

    public ThresholdCount() {}
}
