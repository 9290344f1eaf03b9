package io.guidance.cli;

import io.guidance.event.Event;
import io.guidance.local.importer.BadLines;
import io.guidance.local.importer.DatasetImporter;
import io.guidance.local.importer.EventJsonLines;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code guidance import taobao|yoochoose|cdnow FILE --out FILE}: turns a public dataset into a
 * replayable file of events, sorted by {@code ts}. Malformed lines are skipped, counted and
 * reported with their line numbers.
 *
 * <p>Exit codes: 0 done, 1 the input could not be imported (missing, unreadable, or not one good
 * row), 2 wrong arguments.
 */
public final class ImportCommand {

    static final String USAGE =
            "guidance import "
                    + DatasetImporter.all().stream()
                            .map(DatasetImporter::name)
                            .collect(Collectors.joining("|"))
                    + " FILE --out FILE";

    static final String DESCRIPTION =
            "turn a public dataset into SPEC events (JSON Lines, sorted by time); bad lines reported";

    static final String HELP =
            Args.help(
                    DESCRIPTION,
                    USAGE,
                    "--out FILE",
                    "where the events are written (required; never the input file)");

    private ImportCommand() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the command.
     *
     * @param args the arguments after the word {@code import}
     * @return the exit code
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> positional = new ArrayList<>();
        String outFile = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                out.println(HELP);
                return 0;
            } else if (a.equals("--out") || a.startsWith("--out=")) {
                if (outFile != null) {
                    return usage(err, "--out given twice");
                }
                if (a.equals("--out")) {
                    // the wording of every other command (Args)
                    if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                        return usage(err, "option --out needs a value");
                    }
                    outFile = args[++i];
                } else {
                    outFile = a.substring("--out=".length());
                }
            } else if (a.startsWith("-")) {
                return usage(err, "unknown option " + a);
            } else {
                positional.add(a);
            }
        }
        if (positional.size() != 2) {
            return usage(err, "expected a dataset name and one FILE");
        }
        if (outFile == null || outFile.isEmpty()) {
            return usage(err, "--out is required");
        }
        DatasetImporter importer = DatasetImporter.forName(positional.get(0)).orElse(null);
        if (importer == null) {
            return usage(err, "unknown dataset \"" + positional.get(0) + "\"");
        }
        Path in;
        Path dest;
        try {
            in = Path.of(positional.get(1));
            dest = Path.of(outFile);
        } catch (InvalidPathException e) {
            return usage(err, "not a valid path: " + e.getInput());
        }
        if (!Files.exists(in)) {
            err.println("guidance import: " + Args.noSuchFile(in));
            return 1;
        }
        if (!Files.isRegularFile(in)) {
            err.println("guidance import: input is not a regular file: " + in);
            return 1;
        }
        List<Event> events;
        BadLines bad = new BadLines();
        try {
            if (Files.exists(dest) && Files.isSameFile(in, dest)) {
                return usage(err, "--out must not be the input file");
            }
            events = importer.readSorted(in, bad);
        } catch (IOException e) {
            err.println("guidance import: cannot read " + in + ": " + describe(e));
            return 1;
        }
        reportBadLines(bad, err);
        if (events.isEmpty() && bad.count() > 0) {
            err.println(
                    "guidance import: no good row in "
                            + in
                            + ": is it a "
                            + importer.name()
                            + " file? Nothing written.");
            return 1;
        }
        try {
            EventJsonLines.write(events, dest, importer.numericProps());
        } catch (IOException e) {
            err.println("guidance import: cannot write " + dest + ": " + describe(e));
            return 1;
        }
        out.println(summary(importer, events, dest));
        return 0;
    }

    /**
     * Skipped lines are reported, never fatal: the count, their first line numbers and the first
     * few reasons.
     */
    private static void reportBadLines(BadLines bad, PrintStream err) {
        if (bad.count() == 0) {
            return;
        }
        err.printf(
                "guidance import: skipped %d bad line%s (line%s %s)%n",
                bad.count(),
                bad.count() == 1 ? "" : "s",
                bad.count() == 1 ? "" : "s",
                bad.lineNumbers());
        bad.first().stream()
                .limit(3)
                .forEach(b -> err.println("guidance import:   " + b.message()));
    }

    private static int usage(PrintStream err, String problem) {
        if (problem != null) {
            err.println("guidance import: " + problem);
        }
        err.println("usage: " + USAGE);
        return 2;
    }

    /**
     * One line: what was written and what it covers, so a wrong input is noticed before a replay is
     * run on it.
     */
    static String summary(DatasetImporter importer, List<Event> sorted, Path dest) {
        Set<String> users = new HashSet<>();
        Set<String> sessions = new HashSet<>();
        for (Event e : sorted) {
            users.add(e.userId);
            sessions.add(e.sessionId);
        }
        String span =
                sorted.isEmpty()
                        ? "no events"
                        : Instant.ofEpochMilli(sorted.get(0).ts)
                                + " .. "
                                + Instant.ofEpochMilli(sorted.get(sorted.size() - 1).ts);
        return String.format(
                "imported %d %s events to %s: %d users, %d sessions, %s",
                sorted.size(), importer.name(), dest, users.size(), sessions.size(), span);
    }

    private static String describe(IOException e) {
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        String what = e.getClass().getSimpleName();
        return e.getMessage() == null ? what : what + ": " + e.getMessage();
    }
}
