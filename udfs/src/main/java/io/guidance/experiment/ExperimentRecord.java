package io.guidance.experiment;

import java.util.Objects;

/**
 * One exposure or conversion of a user in an experiment (SPEC section 7), as written to the
 * experiments topic and a replay's {@code --experiments} file. A Flink POJO.
 */
public class ExperimentRecord {
    public static final String EXPOSURE = "exposure";
    public static final String CONVERSION = "conversion";

    /** The rule id, or {@code program}. */
    public String experiment;

    public String salt;
    public String arm;
    public String userId;

    /** {@code exposure} or {@code conversion}. */
    public String record;

    /** When it happened: the trigger's ts for an exposure, the goal event's for a conversion. */
    public long ts;

    public long exposedAt;

    /** The exposing trigger; null for conversions. */
    public String triggerId;

    public ExperimentRecord() {}

    public static ExperimentRecord exposure(
            Experiment x, String arm, String userId, long ts, String triggerId) {
        return of(x.name, x.salt, arm, userId, EXPOSURE, ts, ts, triggerId);
    }

    public static ExperimentRecord conversion(
            String experiment, String salt, String arm, String userId, long ts, long exposedAt) {
        return of(experiment, salt, arm, userId, CONVERSION, ts, exposedAt, null);
    }

    private static ExperimentRecord of(
            String experiment,
            String salt,
            String arm,
            String userId,
            String record,
            long ts,
            long exposedAt,
            String triggerId) {
        ExperimentRecord r = new ExperimentRecord();
        r.experiment = experiment;
        r.salt = salt;
        r.arm = arm;
        r.userId = userId;
        r.record = record;
        r.ts = ts;
        r.exposedAt = exposedAt;
        r.triggerId = triggerId;
        return r;
    }

    public boolean isExposure() {
        return EXPOSURE.equals(record);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof ExperimentRecord)) return false;
        ExperimentRecord r = (ExperimentRecord) o;
        return ts == r.ts
                && exposedAt == r.exposedAt
                && Objects.equals(experiment, r.experiment)
                && Objects.equals(salt, r.salt)
                && Objects.equals(arm, r.arm)
                && Objects.equals(userId, r.userId)
                && Objects.equals(record, r.record)
                && Objects.equals(triggerId, r.triggerId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(experiment, userId, record, ts);
    }

    @Override
    public String toString() {
        return record + '{' + experiment + '/' + arm + ' ' + userId + " ts=" + ts + '}';
    }
}
