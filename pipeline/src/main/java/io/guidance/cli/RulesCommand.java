package io.guidance.cli;

import io.guidance.rules.RuleSet;
import io.guidance.rules.RuleValidationException;
import io.guidance.rules.RulesParser;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;

/** {@code guidance rules validate FILE}: every problem of a rules file, or a summary of what it defines. */
final class RulesCommand {
    static final String USAGE = "guidance rules validate FILE";

    private RulesCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) throws Args.UsageException, Args.InputException {
        Args a = Args.parse(args, 1, Set.of());
        if (a.positional().size() != 2 || !a.positional().get(0).equals("validate")) {
            throw new Args.UsageException("expected: " + USAGE);
        }
        Path file = Args.existingFile(a.positional().get(1));
        RuleSet rules = load(file);
        out.printf("%s: valid, version %d, %d rules%n", file, rules.version, rules.rules.size());
        rules.rules.forEach(r -> out.printf("  %-24s %-10s guide %s%s%n", r.id, r.kind(), r.guide,
                r.enabled ? "" : " (disabled)"));
        return 0;
    }

    /** Loads a rules file or fails with every problem listed, as one {@link Args.InputException}. */
    static RuleSet load(Path file) throws Args.InputException {
        try {
            return RulesParser.parseFile(file);
        } catch (RuleValidationException e) {
            throw new Args.InputException(e.getMessage());
        } catch (IOException e) {
            throw new Args.InputException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
