package io.guidance.experiment;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Deterministic, sticky assignment of users to buckets (SPEC section 7): the first 8 bytes of
 * SHA-256 of the UTF-8 text {@code salt + ":" + userId}, read as an unsigned big-endian integer,
 * modulo 10,000. The job, a replay, the report and any other tool (a site's backend, a notebook)
 * compute the same bucket.
 */
public final class Assignment {
    public static final int BUCKETS = 10_000;

    /** The salt of the program holdout. */
    public static final String HOLDOUT_SALT = "holdout";

    private static final ThreadLocal<MessageDigest> SHA256 =
            ThreadLocal.withInitial(
                    () -> {
                        try {
                            return MessageDigest.getInstance("SHA-256");
                        } catch (NoSuchAlgorithmException e) {
                            throw new IllegalStateException("the JDK has no SHA-256", e);
                        }
                    });

    private Assignment() {}

    public static int bucket(String salt, String userId) {
        byte[] digest = SHA256.get().digest((salt + ":" + userId).getBytes(StandardCharsets.UTF_8));
        long first8 = 0;
        for (int i = 0; i < 8; i++) {
            first8 = (first8 << 8) | (digest[i] & 0xff);
        }
        return (int) Long.remainderUnsigned(first8, BUCKETS);
    }

    /** True when the user is in the program holdout of {@code holdoutPercent} (0-50). */
    public static boolean inHoldout(int holdoutPercent, String userId) {
        return holdoutPercent > 0 && bucket(HOLDOUT_SALT, userId) < 100 * holdoutPercent;
    }
}
