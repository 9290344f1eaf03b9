package io.guidance.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The per-user token against the HMAC-SHA256 test vectors of RFC 4231 and its own edge cases. */
class UserTokensTest {
    @Test
    void theTokenIsTheBase64UrlOfHmacSha256OfTheUserId() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
        // HMAC-SHA256 = 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843
        UserTokens tokens = new UserTokens("Jefe");

        assertThat(tokens.issue("what do ya want for nothing?"))
                .isEqualTo("W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM");
    }

    @Test
    void aTokenVerifiesForItsUserOnly() {
        UserTokens tokens = new UserTokens("s3cret");
        String t = tokens.issue("u1");

        assertThat(tokens.verify("u1", t)).isTrue();
        assertThat(tokens.verify("u1", t + "=")).as("padding is optional").isTrue();
        assertThat(tokens.verify("u2", t)).isFalse();
        assertThat(new UserTokens("other").verify("u1", t)).isFalse();
        assertThat(tokens.verify("u1", "not base64 !")).isFalse();
        assertThat(tokens.verify("u1", "")).isFalse();
    }
}
