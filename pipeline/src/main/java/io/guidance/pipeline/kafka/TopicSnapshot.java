package io.guidance.pipeline.kafka;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A topic read once, from the beginning up to the end offsets taken when reading starts, without a
 * consumer group: what {@code guidance report} reads of a running deployment. Records written
 * meanwhile are left for the next report, so a report is a snapshot.
 */
public final class TopicSnapshot {
    /** One record's value with its position; a null value (a tombstone) is passed over. */
    @FunctionalInterface
    public interface RecordHandler {
        void accept(int partition, long offset, byte[] value);
    }

    private TopicSnapshot() {}

    /**
     * Passes every record to {@code handler} and returns how many there were, or -1 when the topic
     * does not exist. Fails when no record arrives for {@code stall} while some are still due.
     */
    public static long read(String bootstrap, String topic, Duration stall, RecordHandler handler)
            throws IOException {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // transactional writers: only what was committed, and the end is the last stable offset
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(stall.toMillis()));
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(stall.toMillis()));
        long count = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            Map<String, List<PartitionInfo>> topics = consumer.listTopics(stall);
            if (!topics.containsKey(topic)) {
                return -1;
            }
            List<TopicPartition> partitions = new ArrayList<>();
            topics.get(topic)
                    .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, stall);
            long lastProgress = System.currentTimeMillis();
            while (!caughtUp(consumer, end)) {
                boolean progress = false;
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    progress = true;
                    Long stop = end.get(new TopicPartition(r.topic(), r.partition()));
                    if (stop == null || r.offset() >= stop) {
                        continue; // written after the start: the next report's
                    }
                    count++;
                    if (r.value() != null) {
                        handler.accept(r.partition(), r.offset(), r.value());
                    }
                }
                if (progress) {
                    lastProgress = System.currentTimeMillis();
                } else if (System.currentTimeMillis() - lastProgress > stall.toMillis()) {
                    throw new IOException(
                            "timed out reading " + topic + ": nothing arrived for " + stall);
                }
            }
        } catch (KafkaException e) {
            throw new IOException(
                    "cannot read " + topic + " at " + bootstrap + ": " + e.getMessage(), e);
        }
        return count;
    }

    private static boolean caughtUp(
            KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
