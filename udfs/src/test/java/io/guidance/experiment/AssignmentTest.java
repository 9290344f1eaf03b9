package io.guidance.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC section 7, assignment: every row of the table in {@code docs/experiments.md}. The buckets
 * were computed outside Java, with Python's hashlib (the snippet in that document), so the test
 * checks the job against the formula rather than against itself. Non-ASCII user ids are written as
 * escapes so that the bytes hashed do not depend on how this file is read.
 */
class AssignmentTest {

    static Stream<Arguments> theTable() {
        return Stream.of(
                Arguments.of("holdout", "u-1", 7409),
                // first 8 bytes 929fd0a7d4018dfc: above 2^63, so signed arithmetic would go wrong
                Arguments.of("holdout", "user-42", 476),
                Arguments.of("holdout", "jos\u00e9", 151),
                Arguments.of("holdout", "\u7528\u6237", 120),
                Arguments.of("holdout", "42", 4350),
                Arguments.of("cart-stall", "u-1", 9488),
                Arguments.of("cart-stall", "user-42", 1935),
                Arguments.of("cart-stall", "jos\u00e9", 5674),
                Arguments.of("cart-stall", "\u7528\u6237", 7170),
                Arguments.of("cart-stall", "a:b", 3340),
                Arguments.of("cart-stall", "", 5107),
                Arguments.of("cart-stall-v2", "u-1", 3268),
                Arguments.of("seven-friends", "\u7528\u6237", 3161),
                // the text hashed is salt + ":" + userId: these two are the same text, "a:b:c"
                Arguments.of("a", "b:c", 7426),
                Arguments.of("a:b", "c", 7426));
    }

    @ParameterizedTest(name = "bucket({0}, {1}) = {2}")
    @MethodSource("theTable")
    void theBucketIsTheDocumentedOne(String salt, String userId, int bucket) {
        assertThat(Assignment.bucket(salt, userId)).isEqualTo(bucket);
    }

    @Test
    void aUserFoundAtEachEdgeOfA404020SplitGetsItsArm() {
        // users whose cart-stall bucket is exactly at an edge (found with the same snippet)
        Experiment x = fortyFortyTwenty();
        assertThat(Assignment.bucket("cart-stall", "u-8444")).isZero();
        assertThat(Assignment.bucket("cart-stall", "u-73")).isEqualTo(3999);
        assertThat(Assignment.bucket("cart-stall", "u-20751")).isEqualTo(4000);
        assertThat(Assignment.bucket("cart-stall", "u-2742")).isEqualTo(7999);
        assertThat(Assignment.bucket("cart-stall", "u-9627")).isEqualTo(8000);
        assertThat(Assignment.bucket("cart-stall", "u-2228")).isEqualTo(9999);
        assertThat(x.armOf("u-73")).isEqualTo("cart-reminder");
        assertThat(x.armOf("u-20751")).isEqualTo("cart-reminder-short");
        assertThat(x.armOf("u-9627")).isEqualTo("control");
    }

    @Test
    void armsTakeConsecutiveRangesInTheOrderWritten() {
        Experiment x = fortyFortyTwenty();

        assertThat(x.armOfBucket(0)).isEqualTo("cart-reminder");
        assertThat(x.armOfBucket(3999)).isEqualTo("cart-reminder");
        assertThat(x.armOfBucket(4000)).isEqualTo("cart-reminder-short");
        assertThat(x.armOfBucket(7999)).isEqualTo("cart-reminder-short");
        assertThat(x.armOfBucket(8000)).isEqualTo("control");
        assertThat(x.armOfBucket(9999)).isEqualTo("control");
    }

    @Test
    void theProgramHoldoutIsTheBottomOfTheHoldoutSaltsBuckets() {
        Experiment program = Experiment.program(5, null, 7 * 86_400_000L);

        assertThat(program.salt).isEqualTo("holdout");
        assertThat(program.armOfBucket(0)).isEqualTo("holdout");
        assertThat(program.armOfBucket(499)).isEqualTo("holdout");
        assertThat(program.armOfBucket(500)).isEqualTo("treated");
        assertThat(program.armOfBucket(9999)).isEqualTo("treated");
        // from the table: bucket("holdout", "user-42") = 476 < 500; ("holdout", "42") = 4350
        assertThat(program.armOf("user-42")).isEqualTo("holdout");
        assertThat(Assignment.inHoldout(5, "user-42")).isTrue();
        assertThat(program.armOf("42")).isEqualTo("treated");
        assertThat(Assignment.inHoldout(5, "42")).isFalse();
        // users found at the edge: bucket 499 and 500
        assertThat(Assignment.inHoldout(5, "u-5588")).isTrue();
        assertThat(Assignment.inHoldout(5, "u-13357")).isFalse();
        assertThat(Assignment.inHoldout(0, "u-5588")).as("no holdout").isFalse();
    }

    private static Experiment fortyFortyTwenty() {
        Map<String, Integer> variants = new LinkedHashMap<>();
        variants.put("cart-reminder", 40);
        variants.put("cart-reminder-short", 40);
        return new Experiment("cart-stall", variants, 20, null, 86_400_000L, "cart-stall");
    }
}
