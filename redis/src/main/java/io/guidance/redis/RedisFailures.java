package io.guidance.redis;

import java.security.cert.CertificateException;
import java.util.List;
import javax.net.ssl.SSLException;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Which Redis failures pass by themselves and which need an operator, and one sentence for the
 * latter that names the cause and the setting to fix. The job's writers and the web service judge
 * failures alike.
 */
public final class RedisFailures {
    /**
     * Error replies after which the same call may succeed: Redis is starting, busy, out of memory,
     * or a replica.
     */
    private static final List<String> TRANSIENT_ERRORS =
            List.of(
                    "LOADING",
                    "BUSY",
                    "OOM",
                    "READONLY",
                    "MASTERDOWN",
                    "TRYAGAIN",
                    "CLUSTERDOWN",
                    "NOREPLICAS");

    private RedisFailures() {}

    /**
     * Connection failures and pool timeouts are transient; an error reply is transient only when
     * Redis says it is busy or not ready. Wrong credentials, a missing permission, a certificate
     * that is not trusted or a server that does not speak TLS stay until an operator acts.
     */
    public static boolean isTransient(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof JedisAccessControlException
                    || c instanceof CertificateException
                    || isPlainTextServer(c)) {
                return false;
            }
            if (c instanceof JedisDataException) {
                String message = String.valueOf(c.getMessage());
                return TRANSIENT_ERRORS.stream().anyMatch(message::startsWith);
            }
        }
        return true;
    }

    /**
     * Why Redis refuses {@code who} (such as "the trigger sink"), as one sentence naming the cause
     * and the fix. Never repeats a password.
     */
    public static String describe(RedisSettings s, Throwable e, String who) {
        String at = "Redis at " + s.host() + ':' + s.port();
        String user = s.user() == null ? "the default user" : "user '" + s.user() + "'";
        for (Throwable c = e; c != null; c = c.getCause()) {
            String message = String.valueOf(c.getMessage());
            if (c instanceof JedisAccessControlException) {
                if (message.startsWith("WRONGPASS")) {
                    return at
                            + " refused the password of "
                            + user
                            + " for "
                            + who
                            + " ("
                            + message
                            + "): check "
                            + RedisSettings.USER.key()
                            + " and "
                            + RedisSettings.PASSWORD.key();
                }
                if (message.startsWith("NOAUTH")) {
                    return at
                            + " requires a password, none was given for "
                            + who
                            + " ("
                            + message
                            + "): set "
                            + RedisSettings.PASSWORD.key()
                            + " (and "
                            + RedisSettings.USER.key()
                            + " for an ACL user)";
                }
                return at
                        + " denied "
                        + user
                        + " a command or key that "
                        + who
                        + " needs ("
                        + message
                        + "): grant the ACL rules the README gives for TLS and ACL users";
            }
            if (c instanceof CertificateException) {
                return at
                        + " presented a TLS certificate that is not trusted for "
                        + s.host()
                        + " ("
                        + message
                        + "): set "
                        + RedisSettings.TLS_CA_FILE.key()
                        + " to the CA certificate that signed it"
                        + (s.tlsCaFile() == null
                                ? ", or add that CA to the JVM's trust store"
                                : " (now " + s.tlsCaFile() + ")")
                        + ", and make the certificate name this host";
            }
            if (isPlainTextServer(c)) {
                return at
                        + " does not answer TLS ("
                        + message
                        + "): connect to its tls-port, or use redis:// without TLS";
            }
        }
        return at + " refused " + who + ": " + e.getMessage();
    }

    private static boolean isPlainTextServer(Throwable c) {
        return c instanceof SSLException
                && String.valueOf(c.getMessage())
                        .contains("Unsupported or unrecognized SSL message");
    }
}
