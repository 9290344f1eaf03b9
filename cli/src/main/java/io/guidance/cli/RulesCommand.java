package io.guidance.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.guidance.pipeline.kafka.RulesTopic;
import io.guidance.rules.PublishedRules;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RuleValidationException;
import io.guidance.rules.RulesParser;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code guidance rules validate|publish|diff|show}: check a rules file, publish it to a running
 * job through the rules topic, see what a file would change, and print the version in force.
 */
final class RulesCommand {
    static final String USAGE =
            String.join(
                    "\n  ",
                    "guidance rules validate FILE",
                    "guidance rules publish FILE --bootstrap HOST:PORT [--topic guidance-rules]",
                    "guidance rules diff FILE [--bootstrap localhost:9092] [--topic guidance-rules]",
                    "guidance rules show [--bootstrap localhost:9092] [--topic guidance-rules]");

    static final String DESCRIPTION =
            "validate a rules file, publish it to running jobs, diff it against or show the live one";

    static final String HELP =
            Args.help(
                    DESCRIPTION,
                    USAGE,
                    "validate FILE",
                    "check a rules file and list every problem",
                    "publish FILE",
                    "validate, then publish the next version to running jobs",
                    "diff FILE",
                    "rule by rule, what publishing FILE would change",
                    "show",
                    "print the version in force",
                    "--bootstrap HOST:PORT",
                    "the Kafka brokers (default localhost:9092; required by publish)",
                    "--topic T",
                    "the rules topic (default guidance-rules)");
    static final String DEFAULT_TOPIC = "guidance-rules";
    static final String DEFAULT_BOOTSTRAP = "localhost:9092";
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private RulesCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Args a = Args.parse(args, 1, Set.of("bootstrap", "topic"));
        List<String> words = a.positional();
        String verb = words.isEmpty() ? "" : words.get(0);
        switch (verb) {
            case "validate":
                return validate(file(words, verb), out);
            case "publish":
                return publish(
                        file(words, verb),
                        a.required("bootstrap"),
                        a.get("topic", DEFAULT_TOPIC),
                        out);
            case "diff":
                return diff(
                        file(words, verb),
                        a.get("bootstrap", DEFAULT_BOOTSTRAP),
                        a.get("topic", DEFAULT_TOPIC),
                        out);
            case "show":
                if (words.size() != 1) {
                    throw new Args.UsageException("rules show takes no file");
                }
                return show(
                        a.get("bootstrap", DEFAULT_BOOTSTRAP), a.get("topic", DEFAULT_TOPIC), out);
            default:
                throw new Args.UsageException(
                        "expected validate, publish, diff or show, not '" + verb + "'");
        }
    }

    private static Path file(List<String> words, String verb)
            throws Args.UsageException, Args.InputException {
        if (words.size() != 2) {
            throw new Args.UsageException("rules " + verb + " needs one FILE");
        }
        return Args.existingFile(words.get(1));
    }

    private static int validate(Path file, PrintStream out) throws Args.InputException {
        RuleSet rules = load(file);
        out.printf("%s: valid, %d rules%n", file, rules.rules.size());
        rules.rules.forEach(
                r ->
                        out.printf(
                                "  %-24s %-10s guide %s%s%n",
                                r.id, r.kind(), r.guide, r.enabled ? "" : " (disabled)"));
        return 0;
    }

    /**
     * Validates first: an invalid file is refused with all its problems and nothing is published.
     */
    private static int publish(Path file, String bootstrap, String topic, PrintStream out)
            throws Args.InputException, IOException {
        load(file);
        String yaml = Files.readString(file, StandardCharsets.UTF_8);
        checkReachable(bootstrap);
        List<RulesTopic.Entry> entries = RulesTopic.readAll(bootstrap, topic, TIMEOUT);
        long version = RulesTopic.highestVersion(entries) + 1;
        PublishedRules published =
                new PublishedRules(version, publisher(), System.currentTimeMillis(), yaml);
        RulesTopic.publish(bootstrap, topic, published, TIMEOUT);
        out.printf("published %s to %s: running jobs apply it within seconds%n", published, topic);
        return 0;
    }

    private static int show(String bootstrap, String topic, PrintStream out)
            throws IOException, Args.InputException {
        checkReachable(bootstrap);
        Optional<PublishedRules> live = RulesTopic.latestValid(bootstrap, topic, TIMEOUT);
        if (live.isEmpty()) {
            out.printf(
                    "no rule set on %s: jobs run the rules file they were started with%n", topic);
            return 0;
        }
        out.printf("# live rules: %s%n", live.get());
        out.print(live.get().yaml);
        if (!live.get().yaml.endsWith("\n")) {
            out.println();
        }
        return 0;
    }

    /**
     * Rule by rule, field by field: what publishing the file would change against the live version.
     */
    private static int diff(Path file, String bootstrap, String topic, PrintStream out)
            throws Args.InputException, IOException {
        load(file);
        checkReachable(bootstrap);
        Optional<PublishedRules> live = RulesTopic.latestValid(bootstrap, topic, TIMEOUT);
        String oldYaml;
        if (live.isPresent()) {
            oldYaml = live.get().yaml;
            out.printf("%s against the live %s%n", file, live.get());
        } else {
            // nothing published yet: jobs run the rules file they were started with, by default
            // this one
            Path started = Path.of("config/rules.yaml");
            oldYaml =
                    Files.isRegularFile(started)
                            ? Files.readString(started, StandardCharsets.UTF_8)
                            : "rules: []";
            out.printf("%s against %s (nothing published on %s yet)%n", file, started, topic);
        }
        List<String> changes = diffYaml(oldYaml, Files.readString(file, StandardCharsets.UTF_8));
        if (changes.isEmpty()) {
            out.println("  no changes");
        }
        changes.forEach(c -> out.println("  " + c));
        return 0;
    }

    static List<String> diffYaml(String oldYaml, String newYaml) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode before = yaml.readTree(oldYaml);
        JsonNode after = yaml.readTree(newYaml);
        List<String> out = new ArrayList<>();
        diffFields("delivery.", before.path("delivery"), after.path("delivery"), out);
        Map<String, JsonNode> oldRules = byId(before.path("rules"));
        Map<String, JsonNode> newRules = byId(after.path("rules"));
        for (String id : newRules.keySet()) {
            if (!oldRules.containsKey(id)) {
                out.add(
                        "+ rule "
                                + id
                                + " ("
                                + newRules.get(id).path("kind").asText()
                                + "): new, starts empty");
            }
        }
        for (String id : oldRules.keySet()) {
            if (!newRules.containsKey(id)) {
                out.add("- rule " + id + ": removed, its state is released");
            } else {
                List<String> fields = new ArrayList<>();
                diffFields("", oldRules.get(id), newRules.get(id), fields);
                fields.forEach(f -> out.add("~ rule " + id + ": " + f));
            }
        }
        return out;
    }

    private static void diffFields(
            String prefix, JsonNode before, JsonNode after, List<String> out) {
        Set<String> names = new TreeSet<>();
        before.fieldNames().forEachRemaining(names::add);
        after.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            JsonNode a = before.get(name);
            JsonNode b = after.get(name);
            if (a == null) {
                out.add(prefix + name + ": (none) -> " + b);
            } else if (b == null) {
                out.add(prefix + name + ": " + a + " -> (none)");
            } else if (!a.equals(b)) {
                out.add(prefix + name + ": " + a + " -> " + b);
            }
        }
    }

    private static Map<String, JsonNode> byId(JsonNode rules) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Iterator<JsonNode> it = rules.elements(); it.hasNext(); ) {
            JsonNode r = it.next();
            out.put(r.path("id").asText(), r);
        }
        return out;
    }

    private static String publisher() {
        String user = System.getProperty("user.name", "unknown");
        try {
            return user + "@" + InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return user;
        }
    }

    /** How long the reachability probe waits for one broker to accept a connection. */
    private static final int PROBE_TIMEOUT_MS = 3_000;

    /**
     * A quick probe of the bootstrap servers: a TCP connection, then a Kafka request. Without it a
     * stopped Kafka, or a port where something else listens, shows only as a client timeout after
     * {@link #TIMEOUT}. One accepting server is enough; the client finds the rest.
     */
    static void checkReachable(String bootstrap) throws Args.InputException {
        acceptsConnections(bootstrap);
        if (!RulesTopic.answersAsKafka(bootstrap, Duration.ofMillis(PROBE_TIMEOUT_MS))) {
            throw new Args.InputException(
                    bootstrap
                            + " accepts connections but does not answer as a Kafka broker: is"
                            + " --bootstrap the Kafka listener?");
        }
    }

    private static void acceptsConnections(String bootstrap) throws Args.InputException {
        for (String server : bootstrap.split(",")) {
            String s = server.strip();
            int colon = s.lastIndexOf(':');
            if (colon <= 0) {
                continue;
            }
            try (Socket socket = new Socket()) {
                String host = s.substring(0, colon).replace("[", "").replace("]", "");
                int port = Integer.parseInt(s.substring(colon + 1));
                socket.connect(new InetSocketAddress(host, port), PROBE_TIMEOUT_MS);
                return;
            } catch (IOException | IllegalArgumentException e) {
                // this one is not reachable (or not HOST:PORT); try the next
            }
        }
        throw new Args.InputException(
                "cannot reach Kafka at " + bootstrap + ": is it running? (--bootstrap)");
    }

    /**
     * Loads a rules file or fails with every problem listed, as one {@link Args.InputException}.
     */
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
