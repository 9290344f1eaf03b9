package io.guidance.pipeline;

import io.guidance.pipeline.kafka.RulesTopic;
import io.guidance.rules.PublishedRules;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RuleValidationException;
import io.guidance.rules.RulesParser;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules a job starts with: the newest valid version on the rules topic, else the rules file
 * (version 0).
 */
public final class LiveRules {
    private static final Logger LOG = LoggerFactory.getLogger(LiveRules.class);

    public final RuleSet rules;
    public final long version;
    public final String source;

    private LiveRules(RuleSet rules, long version, String source) {
        this.rules = rules;
        this.version = version;
        this.source = source;
    }

    /** A fixed rule set as version 0, for tests and the demo. */
    public static LiveRules of(RuleSet rules) {
        return new LiveRules(rules, 0, "given rules");
    }

    public static LiveRules fromFile(java.nio.file.Path file)
            throws IOException, RuleValidationException {
        return new LiveRules(RulesParser.parseFile(file), 0, file.toString());
    }

    /**
     * What a submitted job starts with: the rules topic's newest valid version when the topic has
     * one, else the rules file. Changes published later reach the running job through the rules
     * stream.
     */
    public static LiveRules atStart(JobConfig config) throws IOException, RuleValidationException {
        Optional<PublishedRules> latest = Optional.empty();
        try {
            RulesTopic.ensureExists(
                    config.kafkaBootstrap(), config.rulesTopic(), Duration.ofSeconds(15));
            latest =
                    RulesTopic.latestValid(
                            config.kafkaBootstrap(), config.rulesTopic(), Duration.ofSeconds(15));
        } catch (IOException e) {
            LOG.warn(
                    "Could not read the rules topic {} ({}); starting from {}",
                    config.rulesTopic(),
                    e.getMessage(),
                    config.rulesFile());
        }
        if (latest.isPresent()) {
            PublishedRules p = latest.get();
            return new LiveRules(
                    p.parseRules(), p.version, "topic " + config.rulesTopic() + ", " + p);
        }
        return fromFile(config.rulesFile());
    }

    @Override
    public String toString() {
        return rules.rules.size() + " rules, version " + version + " from " + source;
    }
}
