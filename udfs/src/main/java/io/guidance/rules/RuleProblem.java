package io.guidance.rules;

/** One thing wrong with a rules file, located by rule id, field and line. */
public final class RuleProblem {
    public final String ruleId;
    public final String field;
    public final int line;
    public final String message;

    public RuleProblem(String ruleId, String field, int line, String message) {
        this.ruleId = ruleId;
        this.field = field;
        this.line = line;
        this.message = message;
    }

    /** {@code line 12: rule 'checkout-stall', field 'within': ...} */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("line ").append(line).append(": ");
        if (ruleId != null) {
            b.append("rule '").append(ruleId).append("', ");
        }
        if (field != null) {
            b.append("field '").append(field).append("': ");
        }
        return b.append(message).toString();
    }
}
