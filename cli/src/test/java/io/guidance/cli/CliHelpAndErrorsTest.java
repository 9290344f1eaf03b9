package io.guidance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the command line says before it does anything: help for every command, one wording per kind
 * of error, and checks that fail before Kafka, Redis or Flink start.
 */
class CliHelpAndErrorsTest {
    private static final List<String> COMMANDS =
            List.of("demo", "serve", "replay", "import", "discover", "report", "rules");

    @TempDir Path dir;

    private record Result(int code, String out, String err) {}

    private static Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                GuidanceCli.run(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void everyCommandAndSubcommandPrintsItsHelpAndExitsZero() {
        String[][] asks = {
            {"demo", "--help"},
            {"demo", "-h"},
            {"serve", "--help"},
            {"replay", "--help"},
            {"import", "-h"},
            {"import", "taobao", "--help"},
            {"discover", "--help"},
            {"report", "--help"},
            {"rules", "--help"},
            {"rules", "show", "--help"},
            {"rules", "publish", "-h"},
            {"rules", "validate", "--help"},
        };
        for (String[] ask : asks) {
            Result r = cli(ask);
            String what = String.join(" ", ask);
            assertThat(r.code).as(what).isZero();
            assertThat(r.err).as(what).isEmpty();
            assertThat(r.out)
                    .as(what)
                    .contains("usage: guidance " + ask[0] + " ")
                    .contains("options:")
                    .contains("-h, --help");
        }
    }

    @Test
    void eachOptionOfAUsageHasAHelpLine() {
        assertThat(cli("demo", "--help").out)
                .containsPattern("\n  --seconds N +\\S")
                .containsPattern("\n  --speed X +\\S")
                .containsPattern("\n  --port N +\\S")
                .containsPattern("\n  --rules FILE +\\S")
                .containsPattern("\n  --data FILE +\\S");
        assertThat(cli("replay", "--help").out)
                .containsPattern("\n  --events FILE +\\S")
                .containsPattern("\n  --rules FILE +\\S")
                .containsPattern("\n  --out FILE +\\S")
                .containsPattern("\n  --dead-letters FILE +\\S");
        assertThat(cli("import", "--help").out).containsPattern("\n  --out FILE +\\S");
        assertThat(cli("report", "--help").out)
                .containsPattern("\n  --triggers FILE +\\S")
                .containsPattern("\n  --rules FILE +\\S")
                .containsPattern("\n  --out DIR +\\S")
                .containsPattern("\n  --experiments FILE +\\S")
                .containsPattern("\n  --events FILE +\\S")
                .containsPattern("\n  --bootstrap HOST:PORT +\\S")
                .containsPattern("\n  --config FILE +\\S");
        assertThat(cli("rules", "--help").out)
                .containsPattern("\n  show +\\S")
                .containsPattern("\n  publish FILE +\\S")
                .containsPattern("\n  --bootstrap HOST:PORT +\\S")
                .containsPattern("\n  --topic T +\\S");
    }

    @Test
    void theOverviewDescribesEveryCommand() {
        Result alone = cli();
        assertThat(alone.code).isEqualTo(2);
        assertThat(alone.out).isEmpty();
        for (String c : COMMANDS) {
            // one line per command: its name, then a description
            assertThat(alone.err).containsPattern("\n  " + c + " +[a-z]\\S* \\S");
            assertThat(alone.err).contains("\n  guidance " + c + " ");
        }
        for (String ask : List.of("help", "--help", "-h")) {
            Result help = cli(ask);
            assertThat(help.code).as(ask).isZero();
            assertThat(help.err).as(ask).isEmpty();
            assertThat(help.out).as(ask).isEqualTo(alone.err);
        }
    }

    @Test
    void aMissingRequiredOptionIsNamedThenUsage() {
        Result r = cli("import", "taobao", dir.resolve("in.csv").toString());
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err)
                .startsWith(
                        "guidance import: --out is required\n"
                                + "usage: guidance import taobao|yoochoose|cdnow FILE --out FILE\n");
        Result d = cli("discover", "--events", "x");
        assertThat(d.code).isEqualTo(2);
        assertThat(d.err)
                .startsWith("guidance discover: --out is required\nusage: guidance discover ");
    }

    @Test
    void aMissingFileHasOneWordingInEveryCommand() throws Exception {
        String nope = dir.resolve("nope").toString();
        Path real = Files.writeString(dir.resolve("real.yaml"), RulesCommandTest.VALID);
        String out = dir.resolve("out").toString();
        String[][] cases = {
            {"replay", "--events", nope, "--rules", real.toString(), "--out", out},
            {"replay", "--events", real.toString(), "--rules", nope, "--out", out},
            {"import", "taobao", nope, "--out", out},
            {"discover", "--events", nope, "--out", out},
            {"report", "--triggers", nope, "--rules", real.toString(), "--out", out},
            {"report", "--triggers", real.toString(), "--rules", nope, "--out", out},
            {"report", "--bootstrap", "127.0.0.1:1", "--config", nope, "--out", out},
            {"rules", "validate", nope},
            {"rules", "diff", nope},
            {"demo", "--rules", nope, "--port", "0"},
            {"demo", "--rules", real.toString(), "--data", nope, "--port", "0"},
            {"serve", "--config", nope},
        };
        for (String[] args : cases) {
            Result r = cli(args);
            String what = String.join(" ", args);
            assertThat(r.code).as(what).isEqualTo(1);
            assertThat(r.err)
                    .as(what)
                    .isEqualTo("guidance " + args[0] + ": " + nope + ": no such file\n");
            assertThat(r.out).as(what).isEmpty();
        }
    }

    @Test
    void rulesValidateListsEveryExperimentProblemWithItsLine() throws Exception {
        Path rules =
                Files.writeString(
                        dir.resolve("rules.yaml"),
                        String.join(
                                "\n",
                                "version: 1",
                                "delivery:",
                                "  holdout: 51",
                                "  goal: {type: purchase}",
                                "rules:",
                                "  - id: cart-stall",
                                "    guide: cart-reminder",
                                "    kind: stall",
                                "    start: {type: add_to_cart}",
                                "    progress: [{type: purchase}]",
                                "    within: 30m",
                                "    experiment:",
                                "      variants: {cart-reminder: 40, cart-reminder-short: 40}",
                                "      control: 10",
                                "      window: 1d",
                                ""));

        Result r = cli("rules", "validate", rules.toString());

        assertThat(r.code).isEqualTo(1);
        assertThat(r.out).isEmpty();
        assertThat(r.err)
                .contains("3 problems")
                .contains("line 3: field 'delivery.holdout': must be between 0 and 50, not 51")
                .contains(
                        "line 13: rule 'cart-stall', field 'experiment.variants': variants and"
                                + " control must sum to 100, not 90")
                .contains("line 12: rule 'cart-stall', field 'experiment.goal': missing");
    }

    @Test
    void aBusyDemoPortIsFoundBeforeAnythingStarts() throws Exception {
        Path rules = Files.writeString(dir.resolve("rules.yaml"), RulesCommandTest.VALID);
        Path data = Files.writeString(dir.resolve("data.csv"), "");
        try (ServerSocket held = new ServerSocket(0)) {
            int port = held.getLocalPort();
            Result r =
                    cli(
                            "demo",
                            "--port",
                            String.valueOf(port),
                            "--rules",
                            rules.toString(),
                            "--data",
                            data.toString(),
                            "--seconds",
                            "1");
            assertThat(r.code).isEqualTo(1);
            assertThat(r.err)
                    .isEqualTo(
                            "guidance demo: port "
                                    + port
                                    + " is in use: stop what uses it or pass --port N\n");
            assertThat(r.out).isEmpty();
        }
    }

    @Test
    void anUnreachableKafkaIsOneSentence() throws Exception {
        Path rules = Files.writeString(dir.resolve("rules.yaml"), RulesCommandTest.VALID);
        String[][] cases = {
            {"rules", "show", "--bootstrap", "127.0.0.1:1"},
            {"rules", "diff", rules.toString(), "--bootstrap", "127.0.0.1:1"},
            {"rules", "publish", rules.toString(), "--bootstrap", "127.0.0.1:1"},
        };
        for (String[] args : cases) {
            Result r = cli(args);
            String what = String.join(" ", args);
            assertThat(r.code).as(what).isEqualTo(1);
            assertThat(r.err)
                    .as(what)
                    .isEqualTo(
                            "guidance rules: cannot reach Kafka at 127.0.0.1:1: is it running?"
                                    + " (--bootstrap)\n");
            assertThat(r.out).as(what).isEmpty();
        }
        Result report = cli("report", "--bootstrap", "127.0.0.1:1", "--out", dir.toString());
        assertThat(report.code).isEqualTo(1);
        assertThat(report.err)
                .isEqualTo(
                        "guidance report: cannot reach Kafka at 127.0.0.1:1: is it running?"
                                + " (--bootstrap)\n");
        assertThat(report.out).isEmpty();
    }

    @Test
    void aListenerThatIsNotKafkaIsOneSentence() throws Exception {
        // accepts connections and never says a word, as a wrong service on the port would
        try (ServerSocket silent = new ServerSocket(0)) {
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor =
                    new Thread(
                            () -> {
                                try {
                                    while (true) {
                                        accepted.add(silent.accept());
                                    }
                                } catch (IOException closed) {
                                    // the test is over
                                }
                            });
            acceptor.setDaemon(true);
            acceptor.start();
            String bootstrap = "127.0.0.1:" + silent.getLocalPort();
            Result r = cli("rules", "show", "--bootstrap", bootstrap);
            assertThat(r.code).isEqualTo(1);
            assertThat(r.err)
                    .isEqualTo(
                            "guidance rules: "
                                    + bootstrap
                                    + " accepts connections but does not answer as a Kafka"
                                    + " broker: is --bootstrap the Kafka listener?\n");
            assertThat(r.out).isEmpty();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }
}
