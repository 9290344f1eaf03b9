package io.guidance.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@link TriggerSerializer}: optional fields absent and present round trip, the reason keeps its
 * order, copies own their reason, its snapshot restores it, and type extraction picks it.
 */
class TriggerSerializerTest {

    static Trigger trigger(String sessionId, Map<String, String> reason, String variant) {
        Trigger t = new Trigger();
        t.ruleId = "checkout-stall";
        t.guide = "checkout-help";
        t.kind = "stall";
        t.userId = "alice";
        t.sessionId = sessionId;
        t.ts = 1_700_000_060_000L;
        t.expiresAt = t.ts + 600_000;
        t.priority = -3;
        t.triggerId = Trigger.triggerId(t.ruleId, t.userId, sessionId, t.ts);
        t.reason = reason;
        t.status = Trigger.SUPPRESSED_PREFIX + "min_gap";
        t.variant = variant;
        return t;
    }

    static byte[] bytes(Trigger t) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TriggerSerializer.INSTANCE.serialize(t, out);
        return out.getCopyOfBuffer();
    }

    static Trigger roundTrip(Trigger t) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(bytes(t));
        Trigger back = TriggerSerializer.INSTANCE.deserialize(in);
        assertThat(in.available()).isZero();
        return back;
    }

    static Map<String, String> reason() {
        // not alphabetical and not in hash order: the order must survive
        Map<String, String> r = new LinkedHashMap<>();
        r.put("waitedMs", "60000");
        r.put("page", "\"/checkout\"");
        r.put("count", "3");
        r.put("ärger", "\"😀\"");
        return r;
    }

    @Test
    void everyCombinationOfOptionalFieldsRoundTrips() throws IOException {
        for (int mask = 0; mask < 8; mask++) {
            Trigger t =
                    trigger(
                            (mask & 1) != 0 ? "s1" : null,
                            (mask & 2) != 0 ? reason() : null,
                            (mask & 4) != 0 ? "control" : null);
            Trigger back = roundTrip(t);
            assertThat(back).isEqualTo(t);
            // equals skips no field, but hashCode does: check the fields it leaves out too
            assertThat(back.sessionId).isEqualTo(t.sessionId);
            assertThat(back.variant).isEqualTo(t.variant);
            assertThat(back.priority).isEqualTo(-3);
            assertThat(back.expiresAt).isEqualTo(1_700_000_660_000L);
        }
    }

    @Test
    void theReasonKeepsItsOrderAndEmptyStaysEmpty() throws IOException {
        assertThat(roundTrip(trigger("s1", reason(), null)).reason.keySet())
                .containsExactly("waitedMs", "page", "count", "ärger");
        assertThat(roundTrip(trigger("s1", new LinkedHashMap<>(), null)).reason)
                .isNotNull()
                .isEmpty();
    }

    @Test
    void aTriggerWithNoFieldsSetRoundTrips() throws IOException {
        assertThat(roundTrip(new Trigger())).isEqualTo(new Trigger());
    }

    @Test
    void aCopyOwnsItsReason() {
        Trigger t = trigger("s1", reason(), "control");
        Trigger copy = TriggerSerializer.INSTANCE.copy(t);
        assertThat(copy).isEqualTo(t).isNotSameAs(t);
        t.reason.put("count", "4");
        t.status = Trigger.DELIVERED;
        assertThat(copy.reason).containsEntry("count", "3");
        assertThat(copy.status).isEqualTo("suppressed:min_gap");
    }

    @Test
    void copyingTheBytesGivesTheSameBytes() throws IOException {
        for (Trigger t : List.of(trigger("s1", reason(), "v"), trigger(null, null, null))) {
            byte[] b = bytes(t);
            DataOutputSerializer out = new DataOutputSerializer(16);
            TriggerSerializer.INSTANCE.copy(new DataInputDeserializer(b), out);
            assertThat(out.getCopyOfBuffer()).isEqualTo(b);
        }
    }

    @Test
    void itsSnapshotRestoresItAndIsCompatibleAsIsWithItself() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(
                out, TriggerSerializer.INSTANCE.snapshotConfiguration());
        TypeSerializerSnapshot<Trigger> read =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(out.getCopyOfBuffer()),
                        getClass().getClassLoader());
        assertThat(read.restoreSerializer()).isSameAs(TriggerSerializer.INSTANCE);
        assertThat(
                        TriggerSerializer.INSTANCE
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(read)
                                .isCompatibleAsIs())
                .isTrue();

        TriggerSerializerSnapshot future = new TriggerSerializerSnapshot();
        future.readSnapshot(TriggerSerializer.FORMAT_VERSION + 1, null, null);
        assertThat(
                        TriggerSerializer.INSTANCE
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(future)
                                .isIncompatible())
                .isTrue();
    }

    @Test
    void typeExtractionPicksItAndItDuplicatesAsItself() {
        assertThat(TypeInformation.of(Trigger.class)).isSameAs(TriggerTypeInfo.INSTANCE);
        assertThat(TypeInformation.of(Trigger.class).createSerializer(new SerializerConfigImpl()))
                .isSameAs(TriggerSerializer.INSTANCE);
        assertThat(TriggerSerializer.INSTANCE.duplicate()).isSameAs(TriggerSerializer.INSTANCE);
        assertThat(TriggerSerializer.INSTANCE.isImmutableType()).isFalse();
    }
}
