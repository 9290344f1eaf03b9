package io.guidance.redis;

import java.util.Optional;
import javax.net.ssl.SSLParameters;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Builds the Jedis client every Redis user of the project shares the settings of: timeouts, ACL,
 * TLS, database.
 */
public final class RedisClients {
    private RedisClients() {}

    /**
     * A client with at most {@code connections} pooled connections; borrowing one never waits
     * longer than the configured timeout.
     */
    public static RedisClient create(RedisSettings s, String clientName, int connections) {
        int timeoutMillis = (int) s.timeout().toMillis();
        DefaultJedisClientConfig config =
                DefaultJedisClientConfig.builder()
                        .connectionTimeoutMillis(timeoutMillis)
                        .socketTimeoutMillis(timeoutMillis)
                        .database(s.database())
                        .user(s.user())
                        .password(s.password())
                        .ssl(s.tls())
                        .clientName(clientName)
                        .sslParameters(s.tls() ? verifyHostname() : null)
                        .sslSocketFactory(
                                s.tls() && s.tlsCaCertificates() != null
                                        ? TlsTrust.socketFactory(s.tlsCaCertificates())
                                        : null)
                        .build();
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(connections);
        pool.setMaxIdle(connections);
        pool.setMinIdle(0);
        pool.setMaxWait(s.timeout());
        pool.setJmxEnabled(false);
        return RedisClient.builder()
                .hostAndPort(s.host(), s.port())
                .clientConfig(config)
                .poolConfig(pool)
                .build();
    }

    /**
     * Checks at start that Redis takes this client: one {@code PING}. Wrong credentials, a missing
     * permission or an untrusted certificate need an operator and fail here with a sentence naming
     * the cause and the setting to fix; an unreachable Redis is an outage, which the caller rides
     * out.
     *
     * @return empty when Redis answered, else why it could not be reached (a passing cause)
     * @throws IllegalStateException for a lasting cause, with {@link RedisFailures#describe}'s
     *     message
     */
    public static Optional<String> checkAtStart(RedisClient client, RedisSettings s, String who) {
        try {
            client.ping();
            return Optional.empty();
        } catch (JedisException e) {
            if (RedisFailures.isTransient(e)) {
                return Optional.of(String.valueOf(e.getMessage()));
            }
            throw new IllegalStateException(RedisFailures.describe(s, e, who), e);
        }
    }

    /**
     * TLS without checking that the certificate names the host would accept any server's
     * certificate.
     */
    private static SSLParameters verifyHostname() {
        SSLParameters params = new SSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        return params;
    }
}
