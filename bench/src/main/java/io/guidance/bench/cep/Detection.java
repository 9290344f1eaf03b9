package io.guidance.bench.cep;

import java.util.Objects;

/**
 * One detection of a hesitation rule: the rule, the (user, session) it fired for and the trigger
 * time. What the CEP baseline emits per match, and what the equivalence check takes from the
 * pipeline's triggers. A Flink POJO.
 */
public class Detection {
    public String ruleId;
    public String userId;
    public String sessionId;
    public long ts;

    public Detection() {}

    public Detection(String ruleId, String userId, String sessionId, long ts) {
        this.ruleId = ruleId;
        this.userId = userId;
        this.sessionId = sessionId;
        this.ts = ts;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof Detection)) return false;
        Detection d = (Detection) o;
        return ts == d.ts
                && Objects.equals(ruleId, d.ruleId)
                && Objects.equals(userId, d.userId)
                && Objects.equals(sessionId, d.sessionId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(ruleId, userId, sessionId, ts);
    }

    @Override
    public String toString() {
        return ruleId + '|' + userId + '|' + sessionId + '|' + ts;
    }
}
