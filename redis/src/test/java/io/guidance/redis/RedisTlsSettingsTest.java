package io.guidance.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * {@code redis.tls.caFile} (read and checked when the settings are built, carried with them) and
 * which Redis failures are lasting ({@link RedisFailures}). The CA certificate in the test
 * resources is only parsed, never used to connect.
 */
class RedisTlsSettingsTest {
    @TempDir Path dir;

    private static Path testCa() throws Exception {
        return Path.of(RedisTlsSettingsTest.class.getResource("/test-ca.pem").toURI());
    }

    @Test
    void aCaFileIsReadWhenTheSettingsAreBuiltAndTravelsWithThem() throws Exception {
        Path ca = testCa();
        RedisSettings s =
                RedisSettings.fromMap(
                        Map.of(
                                "redis.uri",
                                "rediss://redis.example:6380",
                                "redis.tls.caFile",
                                ca.toString()));

        assertThat(s.tls()).isTrue();
        assertThat(s.tlsCaFile()).isEqualTo(ca.toString());
        assertThat(s.tlsCaCertificates()).isEqualTo(Files.readString(ca));
        assertThat(s.toString()).contains("caFile=" + ca);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        RedisSettings copy;
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (RedisSettings) in.readObject();
        }
        assertThat(copy).isEqualTo(s);
        assertThat(copy.tlsCaCertificates()).isEqualTo(s.tlsCaCertificates());
        // the client builds its trust from the carried text, with no file at hand
        assertThat(TlsTrust.socketFactory(copy.tlsCaCertificates())).isNotNull();
    }

    @Test
    void aMissingOrBadCaFileOrOneWithoutTlsIsRefusedNamingTheKey() throws Exception {
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(
                        () ->
                                RedisSettings.fromMap(
                                        Map.of(
                                                "redis.tls",
                                                "true",
                                                "redis.tls.caFile",
                                                missing.toString())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("redis.tls.caFile: cannot read " + missing);

        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello\n");
        assertThatThrownBy(
                        () ->
                                RedisSettings.fromMap(
                                        Map.of(
                                                "redis.tls",
                                                "true",
                                                "redis.tls.caFile",
                                                notPem.toString())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("redis.tls.caFile: " + notPem + " ");

        assertThatThrownBy(
                        () ->
                                RedisSettings.fromMap(
                                        Map.of("redis.tls.caFile", testCa().toString())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "redis.tls.caFile: is set but TLS is off: use a rediss:// redis.uri or"
                                + " redis.tls: true");
    }

    @Test
    void credentialsPermissionsAndCertificatesAreLastingAnOutageIsNot() {
        RedisSettings s =
                RedisSettings.builder().host("r1").port(6380).tls(true).user("sink").build();

        JedisConnectionException down =
                new JedisConnectionException(new ConnectException("Connection refused"));
        assertThat(RedisFailures.isTransient(down)).isTrue();
        assertThat(RedisFailures.isTransient(new JedisDataException("LOADING Redis is loading")))
                .isTrue();

        JedisAccessControlException wrongPassword =
                new JedisAccessControlException(
                        "WRONGPASS invalid username-password pair or user is disabled.");
        assertThat(RedisFailures.isTransient(wrongPassword)).isFalse();
        assertThat(RedisFailures.describe(s, wrongPassword, "the trigger sink"))
                .isEqualTo(
                        "Redis at r1:6380 refused the password of user 'sink' for the trigger"
                                + " sink (WRONGPASS invalid username-password pair or user is"
                                + " disabled.): check redis.user and redis.password");

        JedisAccessControlException noPermission =
                new JedisAccessControlException(
                        "NOPERM this user has no permissions to run the 'evalsha' command");
        assertThat(RedisFailures.isTransient(noPermission)).isFalse();
        assertThat(RedisFailures.describe(s, noPermission, "the trigger sink"))
                .startsWith("Redis at r1:6380 denied user 'sink' a command or key")
                .contains("NOPERM");

        SSLHandshakeException handshake = new SSLHandshakeException("PKIX path building failed");
        handshake.initCause(new CertificateException("PKIX path building failed"));
        JedisConnectionException untrusted = new JedisConnectionException(handshake);
        assertThat(RedisFailures.isTransient(untrusted)).isFalse();
        assertThat(RedisFailures.describe(s, untrusted, "the web service"))
                .startsWith(
                        "Redis at r1:6380 presented a TLS certificate that is not trusted for r1")
                .contains("set redis.tls.caFile")
                .contains("add that CA to the JVM's trust store");
    }
}
