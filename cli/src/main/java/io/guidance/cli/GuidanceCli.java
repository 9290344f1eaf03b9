package io.guidance.cli;

import java.io.PrintStream;

/**
 * The {@code guidance} command: demo, replay, import, rules and discover. Wrong arguments print
 * usage and exit 2.
 */
public final class GuidanceCli {
    static final String USAGE =
            String.join(
                    "\n",
                    "usage:",
                    "  " + DemoCommand.USAGE,
                    "  " + ReplayCommand.USAGE,
                    "  " + ImportCommand.USAGE.substring("usage: ".length()),
                    "  " + DiscoverCommand.USAGE,
                    "  " + RulesCommand.USAGE);

    private GuidanceCli() {}

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
        try {
            switch (args[0]) {
                case "demo":
                    return DemoCommand.run(args, out, err);
                case "replay":
                    return ReplayCommand.run(args, out, err);
                case "import":
                    return ImportCommand.run(
                            java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
                case "rules":
                    return RulesCommand.run(args, out, err);
                case "discover":
                    return DiscoverCommand.run(args, out, err);
                case "help":
                case "--help":
                case "-h":
                    out.println(USAGE);
                    return 0;
                default:
                    err.println("unknown command '" + args[0] + "'");
                    err.println(USAGE);
                    return 2;
            }
        } catch (Args.UsageException e) {
            err.println(e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (Args.InputException e) {
            err.println(e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("guidance " + args[0] + " failed: " + e);
            return 1;
        }
    }
}
