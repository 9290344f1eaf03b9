package io.guidance.detect;

import java.util.ArrayList;
import java.util.List;

/**
 * State of one loop rule in one session: the previous value (for refreshes) and the window of (ts,
 * value).
 */
public class LoopWindow {
    /** Value of the previous matching event; kept when the window empties, as the SPEC asks. */
    public String previous;

    public List<Long> times = new ArrayList<>();
    public List<String> values = new ArrayList<>();

    public LoopWindow() {}
}
