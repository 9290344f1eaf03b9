package io.guidance.rules;

import io.guidance.event.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code stall}: an event matching {@code start} opens a wait with deadline t + {@code within}; a
 * later start restarts it; an event matching any {@code progress} matcher at or before the deadline
 * cancels it; otherwise one trigger fires at the deadline. Evaluated per (userId, sessionId).
 */
public final class StallRule extends Rule {
    private static final long serialVersionUID = 1L;
    public static final String KIND = "stall";

    public final Matcher start;
    public final List<Matcher> progress;
    public final long withinMs;

    public StallRule(
            String id,
            String guide,
            int priority,
            long cooldownMs,
            boolean enabled,
            Matcher start,
            List<Matcher> progress,
            long withinMs) {
        super(id, guide, priority, cooldownMs, enabled);
        this.start = start;
        this.progress = List.copyOf(progress);
        this.withinMs = withinMs;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public boolean perSession() {
        return true;
    }

    @Override
    public Set<String> eventTypes() {
        Set<String> out = new TreeSet<>();
        List<Matcher> all = new ArrayList<>(progress);
        all.add(start);
        for (Matcher m : all) {
            Set<String> t = m.eventTypes();
            if (t == null) {
                return null;
            }
            out.addAll(t);
        }
        return out;
    }

    @Override
    public List<Matcher> matchers() {
        List<Matcher> all = new ArrayList<>(progress.size() + 1);
        all.add(start);
        all.addAll(progress);
        return all;
    }

    public boolean isProgress(Event e) {
        for (Matcher m : progress) {
            if (m.matches(e)) {
                return true;
            }
        }
        return false;
    }
}
