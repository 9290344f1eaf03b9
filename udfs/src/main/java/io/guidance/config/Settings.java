package io.guidance.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.guidance.event.Utf8;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The values of a set of declared {@link Setting}s: read once at start from a YAML file (nested
 * maps flatten to dotted keys, a list becomes its items joined with commas) and {@code --key value}
 * overrides, over the declared defaults. An unknown key, or a bad value of any declared key, fails
 * at once with the key named. Keys under a skipped prefix belong to another component that reads
 * the same file and checks them itself; they are ignored here.
 *
 * <p>Pure parsing: the only I/O is reading the file.
 */
public final class Settings implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Map<String, Setting<?>> declared;
    private final List<String> skipped;
    private final Map<String, String> values;

    private Settings(
            Map<String, Setting<?>> declared, List<String> skipped, Map<String, String> values) {
        this.declared = declared;
        this.skipped = skipped;
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
        // fail fast on every value
        for (Setting<?> s : declared.values()) {
            s.parse(values.get(s.key()));
        }
    }

    /**
     * Reads {@code file} (null for defaults only), then applies {@code overrides}.
     *
     * @param declared every key these settings hold
     * @param skippedPrefixes sections of the same file that other components read, e.g. {@code
     *     web.}
     */
    public static Settings load(
            List<Setting<?>> declared,
            List<String> skippedPrefixes,
            Path file,
            Map<String, String> overrides)
            throws IOException {
        Map<String, Setting<?>> byKey = new LinkedHashMap<>();
        Map<String, String> v = new LinkedHashMap<>();
        for (Setting<?> s : declared) {
            if (byKey.put(s.key(), s) != null) {
                throw new IllegalStateException("setting " + s.key() + " declared twice");
            }
            v.put(s.key(), s.defaultText());
        }
        List<String> skipped = List.copyOf(skippedPrefixes);
        if (file != null) {
            for (Map.Entry<String, String> e : readFlat(file).entrySet()) {
                put(byKey, skipped, v, e.getKey(), e.getValue(), file.toString());
            }
        }
        for (Map.Entry<String, String> o : overrides.entrySet()) {
            put(byKey, skipped, v, o.getKey(), o.getValue(), "--" + o.getKey());
        }
        return new Settings(byKey, skipped, v);
    }

    /** The defaults with {@code overrides} applied. */
    public static Settings of(
            List<Setting<?>> declared,
            List<String> skippedPrefixes,
            Map<String, String> overrides) {
        try {
            return load(declared, skippedPrefixes, null, overrides);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Every setting in a YAML file with nested maps flattened to dotted keys, unchecked, in file
     * order; a list becomes its items joined with commas.
     */
    public static Map<String, String> readFlat(Path file) throws IOException {
        Map<String, String> v = new LinkedHashMap<>();
        JsonNode root = readTree(file);
        if (root != null && !root.isMissingNode() && !root.isNull()) {
            if (!root.isObject()) {
                throw new IllegalArgumentException(file + ": must be a map of settings");
            }
            flatten("", root, v);
        }
        return v;
    }

    /**
     * The file as YAML; a missing file, bytes that are not UTF-8 or YAML that does not parse are an
     * {@link IllegalArgumentException} naming the file, one line that a command prints with its
     * usage, not an I/O exception with a stack trace.
     */
    private static JsonNode readTree(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such file");
        }
        byte[] bytes = Files.readAllBytes(file);
        int invalid = Utf8.firstInvalid(bytes);
        if (invalid >= 0) {
            throw new IllegalArgumentException(
                    file + ": not UTF-8, " + Utf8.describe(bytes, invalid));
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(text);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 1 : e.getLocation().getLineNr();
            throw new IllegalArgumentException(
                    file
                            + ": not valid YAML at line "
                            + line
                            + ": "
                            + e.getOriginalMessage().lines().findFirst().orElse("").strip());
        }
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String key = prefix + f.getKey();
            JsonNode value = f.getValue();
            if (value.isObject()) {
                flatten(key + ".", value, out);
            } else if (value.isArray()) {
                List<String> items = new ArrayList<>();
                value.forEach(item -> items.add(item.asText()));
                out.put(key, String.join(",", items));
            } else {
                out.put(key, value.isNull() ? "" : value.asText());
            }
        }
    }

    private static void put(
            Map<String, Setting<?>> declared,
            List<String> skipped,
            Map<String, String> out,
            String key,
            String value,
            String source) {
        for (String other : skipped) {
            if (key.startsWith(other)) {
                return;
            }
        }
        if (!declared.containsKey(key)) {
            throw new IllegalArgumentException(
                    source
                            + ": unknown setting '"
                            + key
                            + "' (known: "
                            + String.join(", ", declared.keySet())
                            + ")");
        }
        out.put(key, value == null ? "" : value);
    }

    /** The value of a declared setting. */
    public <T> T get(Setting<T> setting) {
        if (declared.get(setting.key()) == null) {
            throw new IllegalArgumentException("unknown setting '" + setting.key() + "'");
        }
        return setting.parse(values.get(setting.key()));
    }

    /** The text of a key as the file or an override wrote it, else its default. */
    public String text(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("unknown setting '" + key + "'");
        }
        return v;
    }

    /** These settings with one more override, checked the same way. */
    public Settings with(String key, String value) {
        Map<String, String> v = new LinkedHashMap<>(values);
        put(declared, skipped, v, key, value, "setting");
        return new Settings(declared, skipped, v);
    }

    /** Every key with its text, defaults included, in key order. */
    public Map<String, String> asMap() {
        return values;
    }

    /** All keys under a prefix, e.g. {@code redis.}, with full keys. */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new TreeMap<>();
        values.forEach(
                (k, v) -> {
                    if (k.startsWith(prefix)) {
                        out.put(k, v);
                    }
                });
        return out;
    }

    /**
     * A command line of settings: {@code --config FILE} and {@code --key value} pairs, as the job
     * and the web service take them.
     */
    public record CommandLine(Path file, Map<String, String> overrides) {
        /** Throws {@link IllegalArgumentException} for anything but {@code --key value} pairs. */
        public static CommandLine parse(String[] args) {
            Path file = null;
            Map<String, String> overrides = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (!a.startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("expected --key value, got '" + a + "'");
                }
                String key = a.substring(2);
                String value = args[++i];
                if (key.equals("config")) {
                    file = Path.of(value);
                } else {
                    overrides.put(key, value);
                }
            }
            return new CommandLine(file, overrides);
        }
    }
}
