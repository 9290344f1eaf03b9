package io.guidance.rules;

import java.util.List;
import java.util.stream.Collectors;

/** A rules file that cannot be used, with every problem found in it. */
public final class RuleValidationException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<RuleProblem> problems;

    public RuleValidationException(String source, List<RuleProblem> problems) {
        super(
                source
                        + ": "
                        + problems.size()
                        + (problems.size() == 1 ? " problem" : " problems")
                        + "\n"
                        + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<RuleProblem> problems() {
        return problems;
    }
}
