package io.guidance.detect;

import io.guidance.event.Event;
import io.guidance.rules.Rule;
import io.guidance.trigger.Trigger;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * The detection logic of one rule kind, one class per kind, modelled on Flink's {@code Trigger}: a
 * detector says what a rule of its kind does with an event, and with a due deadline where the kind
 * has one, and returns the triggers that fire by adding them to the list it is given. It keeps no
 * per-user data itself and never calls back: {@link DetectionEngine} owns the inbox, the key's one
 * timer, dedup, the instant-by-instant loop, the sweep, the delivery policy and the metrics, and
 * calls the detectors in that order.
 *
 * <p>Each detector documents, next to its class, the state it keeps and when that state ends: in
 * the user's {@link Inbox} (the field it names) or in a keyed state of its own that it binds in
 * {@link #open}. The engine calls {@link #forgetSessions} and {@link #forgetUser} from its sweep
 * and {@link #releaseRule} when a rule is removed; together they end every piece of it.
 *
 * <p>A new rule kind is its rule class, its entry in the rules parser, and one detector listed in
 * {@link Detectors}.
 */
public interface Detector<R extends Rule> {
    /** The rules this detector evaluates. */
    Class<R> ruleClass();

    /** Which events reach a rule: see {@link Reach}. */
    default Reach reach(R rule) {
        return Reach.MATCHING_TYPES;
    }

    /**
     * How long the rule's state needs the session ({@link Rule#perSession}) or the user kept after
     * the last event: its window. The session timeout and the user retention never cut it shorter.
     */
    long windowMs(R rule);

    /** Binds the keyed state the kind keeps outside the inbox; most keep none. */
    /**
     * For a rule that watches session starts ({@link Reach#MATCHING_TYPES_AND_SESSION_STARTS}): how
     * long after the user's first event a session start can still make it fire; {@link
     * Long#MAX_VALUE} when always. Past that, the user's session ids need not be remembered for it.
     */
    default long sessionStartsMatterFor(R rule) {
        return Long.MAX_VALUE;
    }

    default void open(RuntimeContext ctx) {}

    /**
     * One event of the user at its instant, for one rule. {@code mayMatch} is false when the rule's
     * matchers cannot match the event (by the {@link RuleIndex}) and it is here only by its {@link
     * #reach}; true means they may, not that they do. Triggers of a disabled rule are built and
     * dropped ({@link Triggers#fire}): it keeps its state.
     */
    void onEvent(R rule, Event e, boolean mayMatch, UserContext user, List<Trigger> out)
            throws Exception;

    /** The earliest deadline the kind has open for the user, or {@link Inbox#NONE}. */
    default long nextDeadline(Inbox in) {
        return Inbox.NONE;
    }

    /** Fires the deadlines due at {@code time}; runs after the events of that instant. */
    default void onDeadlines(long time, UserContext user, List<Trigger> out) {}

    /** The sweep found these sessions idle: drop what the kind keeps per session for them. */
    default void forgetSessions(Set<String> idle, Inbox in) {}

    /** The sweep found the user idle: drop what the kind keeps per user. */
    default void forgetUser(Inbox in) throws Exception {}

    /**
     * A rule was removed: drop its entries from one user's inbox, and return true if there were
     * any. State the kind keeps outside the inbox is released in {@link #releaseRule(String,
     * EveryKey)}.
     */
    default boolean releaseRule(String ruleId, Inbox in) {
        return false;
    }

    /** A rule was removed: drop its entries, for every key, from the kind's own keyed state. */
    default void releaseRule(String ruleId, EveryKey everyKey) throws Exception {}

    /** Which of the user's events a rule sees, so that an event costs nothing in the rest. */
    enum Reach {
        /** Events the rule's matchers can match ({@link Rule#matchers}). */
        MATCHING_TYPES,
        /**
         * Those, and every other event too, with {@code mayMatch} false, to notice the first event
         * of a new session (the threshold nudge).
         */
        MATCHING_TYPES_AND_SESSION_STARTS,
        /** Every event of the user, whatever its type (the comeback). */
        EVERY_EVENT
    }
}
