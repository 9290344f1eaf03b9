package io.guidance.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.guidance.event.Utf8;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A rule set as published on the rules topic: a version number that only grows, who published it
 * and when, and the rules file's text, which the job validates with the same parser as {@code rules
 * validate}.
 *
 * <pre>
 * {"version": 7, "publishedBy": "ana@laptop", "publishedAt": 1700000000000, "rules": "version: 1\n..."}
 * </pre>
 */
public final class PublishedRules {
    private static final ObjectMapper JSON = new ObjectMapper();

    public final long version;
    public final String publishedBy;
    public final long publishedAt;
    public final String yaml;

    public PublishedRules(long version, String publishedBy, long publishedAt, String yaml) {
        this.version = version;
        this.publishedBy = publishedBy;
        this.publishedAt = publishedAt;
        this.yaml = yaml;
    }

    public byte[] toJsonBytes() {
        ObjectNode n = JSON.createObjectNode();
        n.put("version", version)
                .put("publishedBy", publishedBy)
                .put("publishedAt", publishedAt)
                .put("rules", yaml);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads the envelope; the rules inside are not checked here. */
    public static PublishedRules fromJson(byte[] bytes) {
        // Jackson would decode an overlong form or an encoded surrogate instead of refusing it
        int invalid = Utf8.firstInvalid(bytes);
        if (invalid >= 0) {
            throw new IllegalArgumentException(
                    "not a published rule set: not UTF-8, " + Utf8.describe(bytes, invalid));
        }
        JsonNode n;
        try {
            n = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a published rule set: not JSON");
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("not a published rule set: not a JSON object");
        }
        JsonNode version = n.path("version");
        if (!version.isIntegralNumber() || !version.canConvertToLong() || version.asLong() < 1) {
            throw new IllegalArgumentException(
                    "published rule set: 'version' must be a positive whole number");
        }
        if (!n.path("rules").isTextual()) {
            throw new IllegalArgumentException(
                    "published rule set: 'rules' must hold the rules file as text");
        }
        return new PublishedRules(
                n.get("version").asLong(),
                n.path("publishedBy").asText("unknown"),
                n.path("publishedAt").asLong(0),
                n.get("rules").asText());
    }

    /** The rule set inside, validated; the source named in problems is the version. */
    public RuleSet parseRules() throws RuleValidationException {
        return RulesParser.parse(yaml, "rules version " + version);
    }

    @Override
    public String toString() {
        return "version "
                + version
                + " by "
                + publishedBy
                + " at "
                + Instant.ofEpochMilli(publishedAt);
    }
}
