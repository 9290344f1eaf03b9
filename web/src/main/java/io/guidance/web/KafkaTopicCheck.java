package io.guidance.web;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Whether the events topic can take records: the broker answers, the topic exists and each of its
 * partitions has a leader. One {@code describeTopics} with a short timeout per check, on an admin
 * client that reconnects by itself.
 */
final class KafkaTopicCheck implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final String bootstrap;
    private final String topic;
    private final Admin admin;

    KafkaTopicCheck(String bootstrap, String topic) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, "guidance-web-monitor");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(TIMEOUT.toMillis()));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(TIMEOUT.toMillis()));
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        this.admin = Admin.create(p);
    }

    DependencyMonitor.Outcome check() {
        try {
            TopicDescription d =
                    admin.describeTopics(
                                    List.of(topic),
                                    new DescribeTopicsOptions().timeoutMs((int) TIMEOUT.toMillis()))
                            .allTopicNames()
                            .get(TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS)
                            .get(topic);
            long leaderless =
                    d.partitions().stream()
                            .filter(p -> p.leader() == null || p.leader().isEmpty())
                            .count();
            if (leaderless > 0) {
                return DependencyMonitor.Outcome.down(
                        "topic "
                                + topic
                                + " at "
                                + bootstrap
                                + " has "
                                + leaderless
                                + " of "
                                + d.partitions().size()
                                + " partitions without a leader; a broker is starting or down");
            }
            return DependencyMonitor.Outcome.up(
                    "topic "
                            + topic
                            + " at "
                            + bootstrap
                            + ", "
                            + d.partitions().size()
                            + " partitions");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UnknownTopicOrPartitionException) {
                return DependencyMonitor.Outcome.down(
                        "topic "
                                + topic
                                + " does not exist at "
                                + bootstrap
                                + "; create it (README \"Operate it\") or set kafka.topic");
            }
            if (cause instanceof AuthenticationException
                    || cause instanceof AuthorizationException) {
                return DependencyMonitor.Outcome.down(
                        "Kafka at "
                                + bootstrap
                                + " refuses the service ("
                                + cause.getMessage()
                                + "); check its credentials and ACLs");
            }
            return unreachable();
        } catch (java.util.concurrent.TimeoutException e) {
            return unreachable();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DependencyMonitor.Outcome.down("the check was interrupted");
        }
    }

    private DependencyMonitor.Outcome unreachable() {
        return DependencyMonitor.Outcome.down(
                "Kafka at "
                        + bootstrap
                        + " cannot be reached; is the broker running, and is kafka.bootstrap"
                        + " right?");
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
