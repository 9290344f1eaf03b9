package io.guidance.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} options and positional words of one command, checked against what the
 * command accepts.
 */
final class Args {
    /** A wrong command line: the message, then the command's usage, exit code 2. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** A problem with an input (missing file, bad rules): one clear line, exit code 1. */
    static final class InputException extends Exception {
        private static final long serialVersionUID = 1L;

        InputException(String message) {
            super(message);
        }
    }

    private final Map<String, String> options = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    private Args() {}

    static Args parse(String[] args, int from, Set<String> allowed) throws UsageException {
        Args a = new Args();
        for (int i = from; i < args.length; i++) {
            String s = args[i];
            if (s.startsWith("--")) {
                String name = s.substring(2);
                if (!allowed.contains(name)) {
                    throw new UsageException("unknown option " + s);
                }
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new UsageException("option " + s + " needs a value");
                }
                a.options.put(name, args[++i]);
            } else {
                a.positional.add(s);
            }
        }
        return a;
    }

    List<String> positional() {
        return positional;
    }

    String required(String name) throws UsageException {
        String v = options.get(name);
        if (v == null) {
            throw new UsageException("--" + name + " is required");
        }
        return v;
    }

    String get(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    int intOption(String name, int fallback) throws UsageException {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a whole number, not '" + v + "'");
        }
    }

    /** The one wording of a missing input, after the {@code guidance <command>: } prefix. */
    static String noSuchFile(Object path) {
        return path + ": no such file";
    }

    /** True if the words after the command ask for its help. */
    static boolean wantsHelp(String[] args, int from) {
        for (int i = from; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                return true;
            }
        }
        return false;
    }

    /**
     * A command's help: what it does, its usage, and one line per option ({@code "--name ARG",
     * "what it does"} pairs).
     */
    static String help(String description, String usage, String... options) {
        StringBuilder b = new StringBuilder();
        b.append(description).append("\n\nusage: ").append(usage).append("\n");
        if (options.length > 0) {
            b.append("\noptions:\n");
            for (int i = 0; i + 1 < options.length; i += 2) {
                b.append(String.format("  %-28s %s\n", options[i], options[i + 1]));
            }
        }
        b.append(String.format("  %-28s %s", "-h, --help", "print this help"));
        return b.toString();
    }

    static Path existingFile(String path) throws InputException {
        Path p = Path.of(path);
        if (!Files.isRegularFile(p)) {
            throw new InputException(noSuchFile(path));
        }
        return p;
    }
}
