package io.guidance.bench;

import io.guidance.event.EventParser;
import java.nio.charset.StandardCharsets;

/**
 * Events ready to send: the JSON bytes, the key (userId) and where the 13 digits of {@code ts} sit,
 * so that a copy stamped with the send time costs an array copy, not a serialization.
 */
final class StampedEvents {
    final byte[][] json;
    final String[] keys;
    final int[] tsAt;

    private StampedEvents(byte[][] json, String[] keys, int[] tsAt) {
        this.json = json;
        this.keys = keys;
        this.tsAt = tsAt;
    }

    static StampedEvents of(byte[][] events) {
        EventParser parser = new EventParser();
        String[] keys = new String[events.length];
        int[] at = new int[events.length];
        byte[] field = "\"ts\":".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < events.length; i++) {
            EventParser.Result r = parser.parse(events[i]);
            if (!r.ok()) {
                throw new IllegalStateException(
                        "bad benchmark event: " + r.reason + " " + r.detail);
            }
            keys[i] = r.event.userId;
            int f = indexOf(events[i], field);
            int digits = 0;
            while (f >= 0
                    && f + field.length + digits < events[i].length
                    && Character.isDigit(events[i][f + field.length + digits])) {
                digits++;
            }
            if (f < 0 || digits != 13) {
                throw new IllegalStateException(
                        "no 13-digit ts in " + new String(events[i], StandardCharsets.UTF_8));
            }
            at[i] = f + field.length;
        }
        return new StampedEvents(events, keys, at);
    }

    int size() {
        return json.length;
    }

    /** A copy of event {@code i} with {@code ts} set to {@code ts} (13 digits). */
    byte[] stamped(int i, long ts) {
        byte[] b = json[i].clone();
        long v = ts;
        for (int d = tsAt[i] + 12; d >= tsAt[i]; d--) {
            b[d] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        return b;
    }

    private static int indexOf(byte[] a, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= a.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (a[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
