package io.guidance.experiment;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * SPEC section 7's assignment, written from its words for tests that pick users by arm without the
 * product's {@link Assignment}: SHA-256 of {@code salt:userId}, its first 8 bytes as an unsigned
 * big-endian number, modulo 10,000.
 */
public final class SpecBuckets {
    private SpecBuckets() {}

    public static int bucket(String salt, String userId) {
        try {
            byte[] d =
                    MessageDigest.getInstance("SHA-256")
                            .digest((salt + ":" + userId).getBytes(StandardCharsets.UTF_8));
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (d[i] & 0xff);
            }
            return (int) Long.remainderUnsigned(v, 10_000);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
