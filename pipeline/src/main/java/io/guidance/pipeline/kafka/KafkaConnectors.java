package io.guidance.pipeline.kafka;

import io.guidance.event.DeadLetter;
import io.guidance.event.SourceRecord;
import io.guidance.experiment.ExperimentRecord;
import io.guidance.pipeline.JobConfig;
import io.guidance.rules.RulesUpdate;
import io.guidance.trigger.Trigger;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The Kafka source of events and the dead-letter sink, built from the job's settings. */
public final class KafkaConnectors {
    private KafkaConnectors() {}

    public static KafkaSource<SourceRecord> eventsSource(JobConfig config) {
        OffsetsInitializer start;
        switch (config.startingOffsets()) {
            case "earliest":
                start = OffsetsInitializer.earliest();
                break;
            case "latest":
                start = OffsetsInitializer.latest();
                break;
            default:
                start = OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        }
        return KafkaSource.<SourceRecord>builder()
                .setBootstrapServers(config.kafkaBootstrap())
                .setTopics(config.eventsTopic())
                .setGroupId(config.groupId())
                .setStartingOffsets(start)
                .setDeserializer(new SourceRecordDeserializer(config.maxFutureSkew()))
                // offsets are committed on checkpoints, so a restart without state resumes where
                // the job was
                .setProperty("commit.offsets.on.checkpoint", "true")
                .setProperty("partition.discovery.interval.ms", "60000")
                .build();
    }

    /**
     * The rules topic from its start: the function keeps the newest valid version it sees, so
     * reading old versions again at a fresh start is harmless, and a restore from a checkpoint
     * resumes from the checkpointed offsets.
     */
    public static KafkaSource<RulesUpdate> rulesSource(JobConfig config) {
        return KafkaSource.<RulesUpdate>builder()
                .setBootstrapServers(config.kafkaBootstrap())
                .setTopics(config.rulesTopic())
                .setGroupId(config.groupId() + "-rules")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new RulesUpdateDeserializer())
                .setProperty("commit.offsets.on.checkpoint", "false")
                .build();
    }

    /** Every trigger with its delivery status: the answer to "why did this guide show, or not". */
    public static KafkaSink<Trigger> auditSink(JobConfig config) {
        return KafkaSink.<Trigger>builder()
                .setBootstrapServers(config.kafkaBootstrap())
                .setRecordSerializer(new TriggerAuditSerializer(config.auditTopic()))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    /** Every exposure and conversion of an experiment (SPEC section 7). */
    public static KafkaSink<ExperimentRecord> experimentsSink(JobConfig config) {
        return KafkaSink.<ExperimentRecord>builder()
                .setBootstrapServers(config.kafkaBootstrap())
                .setRecordSerializer(new ExperimentRecordSerializer(config.experimentsTopic()))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    public static KafkaSink<DeadLetter> deadLetterSink(JobConfig config) {
        return KafkaSink.<DeadLetter>builder()
                .setBootstrapServers(config.kafkaBootstrap())
                .setRecordSerializer(new DeadLetterSerializer(config.deadLetterTopic()))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }
}
