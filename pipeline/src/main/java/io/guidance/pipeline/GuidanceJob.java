package io.guidance.pipeline;

import io.guidance.config.Setting;
import io.guidance.config.Settings;
import io.guidance.event.SourceRecord;
import io.guidance.pipeline.kafka.KafkaConnectors;
import io.guidance.pipeline.kafka.RulesTopic;
import io.guidance.pipeline.redis.AbsoluteHashRedisSink;
import io.guidance.pipeline.redis.TriggerRedisSink;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesUpdate;
import io.guidance.time.ClickstreamWatermarks;
import io.guidance.time.ControlStreamWatermarks;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job for {@code flink run}: Kafka events in; delivered triggers to Redis; every trigger with
 * its delivery status to the audit topic; exposures and conversions to the experiments topic and
 * their running totals, and each rule's guide funnel, to Redis; bad and late records to the
 * dead-letter topic.
 *
 * <pre>flink run guidance-pipeline-job.jar --config config/cluster.yaml [--key value ...]</pre>
 */
public final class GuidanceJob {
    private static final Logger LOG = LoggerFactory.getLogger(GuidanceJob.class);

    private GuidanceJob() {}

    public static void main(String[] args) throws Exception {
        JobConfig config;
        try {
            config = parseArgs(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        List<String> missing =
                RulesTopic.missingTopics(
                        config.kafkaBootstrap(),
                        List.of(
                                config.eventsTopic(),
                                config.deadLetterTopic(),
                                config.auditTopic(),
                                config.experimentsTopic()),
                        Duration.ofSeconds(30));
        if (!missing.isEmpty()) {
            System.err.println(
                    "Kafka topics missing at "
                            + config.kafkaBootstrap()
                            + ": "
                            + String.join(", ", missing)
                            + " (create them first; see README \"Operate it\")");
            System.exit(1);
            return;
        }
        LiveRules rules = LiveRules.atStart(config);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(FlinkSettings.from(config));
        define(env, config, rules);
        LOG.info("Submitting job '{}' with {}", config.jobName(), rules);
        env.execute(config.jobName());
    }

    /**
     * Builds the production graph on {@code env}: the Kafka source, the topology and its live
     * totals, the Redis and dead-letter sinks.
     */
    public static void define(StreamExecutionEnvironment env, JobConfig config, LiveRules rules) {
        DataStream<SourceRecord> records =
                env.fromSource(
                                KafkaConnectors.eventsSource(config),
                                ClickstreamWatermarks.live(
                                        config.maxOutOfOrderness(),
                                        config.idleTimeout(),
                                        config.startupIdleTimeout()),
                                Uids.EVENTS_SOURCE)
                        .uid(Uids.EVENTS_SOURCE);
        DataStream<RulesUpdate> ruleUpdates =
                env.fromSource(
                                KafkaConnectors.rulesSource(config),
                                ControlStreamWatermarks.idle(),
                                Uids.RULES_SOURCE)
                        .setParallelism(1)
                        .uid(Uids.RULES_SOURCE);
        GuidanceTopology.Outputs out =
                GuidanceTopology.build(
                        records, ruleUpdates, rules.rules, rules.version, config.detection());
        // only the job keeps live totals: a replay or a benchmark has no Redis hash to fill
        GuidanceTopology.LiveTotals totals = GuidanceTopology.liveTotals(out);
        out.triggers
                .sinkTo(new TriggerRedisSink(config.redis()))
                .uid(Uids.REDIS_SINK)
                .name(Uids.REDIS_SINK);
        out.triggers
                .sinkTo(KafkaConnectors.auditSink(config))
                .uid(Uids.AUDIT_SINK)
                .name(Uids.AUDIT_SINK);
        out.experiments
                .sinkTo(KafkaConnectors.experimentsSink(config))
                .uid(Uids.EXPERIMENTS_SINK)
                .name(Uids.EXPERIMENTS_SINK);
        totals.experimentTotals
                .sinkTo(AbsoluteHashRedisSink.experiments(config.redis()))
                .uid(Uids.EXPERIMENT_TOTALS_SINK)
                .name(Uids.EXPERIMENT_TOTALS_SINK);
        totals.funnelTotals
                .sinkTo(AbsoluteHashRedisSink.funnels(config.redis()))
                .uid(Uids.FUNNEL_TOTALS_SINK)
                .name(Uids.FUNNEL_TOTALS_SINK);
        out.deadLetters
                .sinkTo(KafkaConnectors.deadLetterSink(config))
                .uid(Uids.DEAD_LETTER_SINK)
                .name(Uids.DEAD_LETTER_SINK);
    }

    /** Starts the job with a fixed rule set as version 0, without waiting for it. */
    public static JobClient start(StreamExecutionEnvironment env, JobConfig config, RuleSet rules)
            throws Exception {
        return start(env, config, LiveRules.of(rules));
    }

    /** Starts the job without waiting for it, for the demo and tests. */
    public static JobClient start(StreamExecutionEnvironment env, JobConfig config, LiveRules rules)
            throws Exception {
        define(env, config, rules);
        return env.executeAsync(config.jobName());
    }

    static JobConfig parseArgs(String[] args) throws IOException {
        Settings.CommandLine line = Settings.CommandLine.parse(args);
        return JobConfig.load(line.file(), line.overrides());
    }

    static String usage() {
        return "usage: flink run guidance-pipeline-job.jar [--config FILE] [--key value ...]\n"
                + "settings: "
                + JobConfig.KEYS.stream().map(Setting::key).collect(Collectors.joining(", "));
    }
}
