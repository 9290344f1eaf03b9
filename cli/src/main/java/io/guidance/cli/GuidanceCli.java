package io.guidance.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code guidance} command: demo, serve, replay, import, rules, discover and report. Every
 * command takes {@code --help}. Wrong arguments print {@code guidance <command>: <problem>} and the
 * command's usage, exit 2; a bad input prints {@code guidance <command>: <problem>}, exit 1.
 */
public final class GuidanceCli {
    /** One command: its name, what it does in one line, its usage and its full help. */
    private record Command(String name, String description, String usage, String help) {}

    private static final List<Command> COMMANDS =
            List.of(
                    new Command(
                            "demo", DemoCommand.DESCRIPTION, DemoCommand.USAGE, DemoCommand.HELP),
                    new Command(
                            "serve",
                            ServeCommand.DESCRIPTION,
                            ServeCommand.USAGE,
                            ServeCommand.HELP),
                    new Command(
                            "replay",
                            ReplayCommand.DESCRIPTION,
                            ReplayCommand.USAGE,
                            ReplayCommand.HELP),
                    new Command(
                            "import",
                            ImportCommand.DESCRIPTION,
                            ImportCommand.USAGE,
                            ImportCommand.HELP),
                    new Command(
                            "discover",
                            DiscoverCommand.DESCRIPTION,
                            DiscoverCommand.USAGE,
                            DiscoverCommand.HELP),
                    new Command(
                            "report",
                            ReportCommand.DESCRIPTION,
                            ReportCommand.USAGE,
                            ReportCommand.HELP),
                    new Command(
                            "rules",
                            RulesCommand.DESCRIPTION,
                            RulesCommand.USAGE,
                            RulesCommand.HELP));

    static final String USAGE = overview();

    private GuidanceCli() {}

    private static String overview() {
        StringBuilder b = new StringBuilder("usage: guidance COMMAND [OPTIONS]\n\ncommands:\n");
        for (Command c : COMMANDS) {
            b.append(String.format("  %-10s %s\n", c.name(), c.description()));
        }
        b.append("\n");
        for (Command c : COMMANDS) {
            b.append("  ").append(c.usage()).append("\n");
        }
        b.append("\nguidance COMMAND --help prints a command's options.");
        return b.toString();
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println(USAGE);
            return 2;
        }
        if (List.of("help", "--help", "-h").contains(args[0])) {
            out.println(USAGE);
            return 0;
        }
        Command command =
                COMMANDS.stream().filter(c -> c.name().equals(args[0])).findFirst().orElse(null);
        if (command == null) {
            err.println("guidance: unknown command '" + args[0] + "'");
            err.println(USAGE);
            return 2;
        }
        if (Args.wantsHelp(args, 1)) {
            out.println(command.help());
            return 0;
        }
        String prefix = "guidance " + command.name() + ": ";
        try {
            switch (command.name()) {
                case "demo":
                    return DemoCommand.run(args, out, err);
                case "serve":
                    return ServeCommand.run(args, out, err);
                case "replay":
                    return ReplayCommand.run(args, out, err);
                case "import":
                    return ImportCommand.run(Arrays.copyOfRange(args, 1, args.length), out, err);
                case "rules":
                    return RulesCommand.run(args, out, err);
                case "report":
                    return ReportCommand.run(args, out, err);
                default:
                    return DiscoverCommand.run(args, out, err);
            }
        } catch (Args.UsageException e) {
            err.println(prefix + e.getMessage());
            err.println("usage: " + command.usage());
            return 2;
        } catch (Args.InputException e) {
            err.println(prefix + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println(prefix + "failed: " + e);
            return 1;
        }
    }
}
