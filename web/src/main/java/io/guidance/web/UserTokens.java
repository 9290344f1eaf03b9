package io.guidance.web;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The optional per-user token: {@code base64url(HMAC-SHA256(secret, userId))}, without padding. The
 * site's own backend, which knows who the visitor is, issues it with the secret it shares with the
 * service ({@code web.tokenSecret}); a page can then send events for, read and acknowledge the
 * triggers of that one user only. Tokens do not expire: rotate the secret to revoke them all.
 */
public final class UserTokens {
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    public UserTokens(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("web.tokenSecret: must not be empty");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    /** The token for {@code userId}. */
    public String issue(String userId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac(userId));
    }

    /**
     * Whether {@code token} (padding optional) is the one for {@code userId}; compares in constant
     * time.
     */
    public boolean verify(String userId, String token) {
        if (userId == null || token == null) {
            return false;
        }
        String t = token.trim();
        while (t.endsWith("=")) {
            t = t.substring(0, t.length() - 1);
        }
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(t);
        } catch (IllegalArgumentException notBase64Url) {
            return false;
        }
        return MessageDigest.isEqual(mac(userId), given);
    }

    private byte[] mac(String userId) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(userId.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
