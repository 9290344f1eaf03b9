package io.guidance.detect;

import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;

/**
 * The version of the rules a task applies, for a function that keeps the rules in force in
 * broadcast state {@link LiveRulesFunction#LIVE_RULES} ({@code version}, {@code rules}): it only
 * ever moves forward, and a task picks up a newer version found in broadcast state (after a
 * restore, or one the task has not applied yet). One per function instance, made in {@code open()}.
 */
public final class RulesVersion {
    private long version;

    /**
     * The version text last seen in broadcast state, to notice a restored or newer version cheaply.
     */
    private String seenVersion;

    /**
     * @param initialVersion the version of the rules in force until broadcast state holds a newer
     *     one (0 for the rules file)
     */
    public RulesVersion(long initialVersion) {
        this.version = initialVersion;
    }

    /** The version in force. */
    public long current() {
        return version;
    }

    /** Whether {@code published} is newer than the version in force. */
    public boolean isNewer(long published) {
        return published > version;
    }

    /** Records that the rules of {@code newVersion} are now in force. */
    public void applied(long newVersion) {
        version = newVersion;
        seenVersion = Long.toString(newVersion);
    }

    /**
     * The rules kept in broadcast state if their version is newer than the one in force, now
     * recorded as applied; the caller switches to them. Null when there is nothing newer.
     */
    public RuleSet newerIn(ReadOnlyBroadcastState<String, String> state) throws Exception {
        String v = state.get("version");
        if (v == null || v.equals(seenVersion)) {
            return null;
        }
        seenVersion = v;
        long stored = Long.parseLong(v);
        // only ever forward: a job started from a newer version on the topic keeps it over an older
        // checkpointed one
        if (stored <= version) {
            return null;
        }
        RuleSet rules = RulesParser.parse(state.get("rules"), "rules version " + v);
        applied(stored);
        return rules;
    }
}
