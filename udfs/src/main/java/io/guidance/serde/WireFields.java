package io.guidance.serde;

import java.io.IOException;
import java.util.Map;
import java.util.function.IntFunction;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The field encodings {@code EventSerializer} and {@code TriggerSerializer} share: a string that is
 * written only when present (its absence is a bit in the record's null bits), and a map of strings
 * as a count and then key, value pairs. Strings as {@link StringValue#writeString} writes them.
 */
public final class WireFields {
    private WireFields() {}

    public static void writeIfPresent(String s, DataOutputView out) throws IOException {
        if (s != null) {
            StringValue.writeString(s, out);
        }
    }

    /** The string, or null when {@code bit} is set in {@code nulls}. */
    public static String readIfPresent(int nulls, int bit, DataInputView in) throws IOException {
        return (nulls & bit) != 0 ? null : StringValue.readString(in);
    }

    public static void copyIfPresent(int nulls, int bit, DataInputView in, DataOutputView out)
            throws IOException {
        if ((nulls & bit) == 0) {
            StringValue.copyString(in, out);
        }
    }

    public static void writeMap(Map<String, String> map, DataOutputView out) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, String> e : map.entrySet()) {
            StringValue.writeString(e.getKey(), out);
            StringValue.writeString(e.getValue(), out);
        }
    }

    /**
     * A map written by {@link #writeMap}, into {@code newMap.apply(capacity)} (a capacity that
     * holds its entries without resizing); {@code what} names the map in the error for a negative
     * count.
     */
    public static <M extends Map<String, String>> M readMap(
            DataInputView in, IntFunction<M> newMap, String what) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("corrupt record: " + n + " " + what);
        }
        M map = newMap.apply(n < 3 ? n + 1 : (int) (n / 0.75f + 1));
        for (int i = 0; i < n; i++) {
            map.put(StringValue.readString(in), StringValue.readString(in));
        }
        return map;
    }

    public static void copyMap(DataInputView in, DataOutputView out) throws IOException {
        int n = in.readInt();
        out.writeInt(n);
        for (int i = 0; i < 2 * n; i++) {
            StringValue.copyString(in, out);
        }
    }
}
