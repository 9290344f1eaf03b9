package io.guidance.config;

import io.guidance.rules.Durations;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One key of a settings file: its name, how its text becomes a value (type and check), its default
 * and what it means. Components declare their keys as constants and read them from {@link
 * Settings}; a bad value fails with the key named first: {@code job.parallelism: must be a positive
 * whole number, not 'x'}.
 *
 * @param <T> the value's type
 */
public final class Setting<T> implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Turns a setting's text into its value; throws {@link IllegalArgumentException} saying why
     * not.
     */
    @FunctionalInterface
    public interface Parser<T> extends Serializable {
        T parse(String text);
    }

    private final String key;
    private final String defaultText;
    private final Parser<T> parser;
    private final String description;

    private Setting(String key, String defaultText, Parser<T> parser, String description) {
        this.key = Objects.requireNonNull(key);
        this.defaultText = Objects.requireNonNull(defaultText);
        this.parser = Objects.requireNonNull(parser);
        this.description = Objects.requireNonNull(description);
    }

    /** A setting whose value is any text, as written; an empty default means "not set". */
    public static Setting<String> text(String key, String defaultText, String description) {
        return new Setting<>(key, defaultText, text -> text, description);
    }

    /** Text that must be one of {@code allowed}, compared exactly. */
    public static Setting<String> oneOf(
            String key, String defaultText, String description, String... allowed) {
        List<String> choices = List.of(allowed);
        return new Setting<>(
                key,
                defaultText,
                text -> {
                    if (!choices.contains(text)) {
                        throw new IllegalArgumentException(
                                "must be " + alternatives(choices) + ", not " + text);
                    }
                    return text;
                },
                description);
    }

    /** A whole number of at least {@code min} and at most {@code max}. */
    public static Setting<Integer> integer(
            String key, int defaultValue, int min, int max, String description) {
        String expected =
                max < Integer.MAX_VALUE
                        ? "a whole number in [" + min + ", " + max + "]"
                        : min == 1
                                ? "a positive whole number"
                                : "a whole number of at least " + min;
        return new Setting<>(
                key,
                Integer.toString(defaultValue),
                text -> {
                    int v;
                    try {
                        v = Integer.parseInt(text.trim());
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(
                                "must be " + expected + ", not '" + text + "'");
                    }
                    if (v < min || v > max) {
                        throw new IllegalArgumentException(
                                "must be " + expected + ", not '" + text + "'");
                    }
                    return v;
                },
                description);
    }

    /** A finite number of at least {@code min}. */
    public static Setting<Double> number(
            String key, String defaultText, double min, String description) {
        return new Setting<>(
                key,
                defaultText,
                text -> {
                    double v;
                    try {
                        v = Double.parseDouble(text.trim());
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("must be a number, not '" + text + "'");
                    }
                    if (!(v >= min) || Double.isInfinite(v)) {
                        throw new IllegalArgumentException(
                                "must be " + format(min) + " or more, not " + v);
                    }
                    return v;
                },
                description);
    }

    /** {@code true} or {@code false}, in any case. */
    public static Setting<Boolean> flag(String key, boolean defaultValue, String description) {
        return new Setting<>(
                key,
                Boolean.toString(defaultValue),
                text -> {
                    String v = text.trim();
                    if (v.equalsIgnoreCase("true")) return true;
                    if (v.equalsIgnoreCase("false")) return false;
                    throw new IllegalArgumentException("must be true or false, not '" + text + "'");
                },
                description);
    }

    /**
     * A duration as the rules file writes them ({@link Durations}: {@code 500ms}, {@code 8s},
     * {@code 2m}, {@code 1h}, {@code 10d}); positive, or zero too when {@code zeroAllowed}.
     */
    public static Setting<Duration> duration(
            String key, String defaultText, boolean zeroAllowed, String description) {
        return new Setting<>(
                key,
                defaultText,
                text -> {
                    long ms = Durations.parse(text);
                    if (ms < 0 || (ms == 0 && !zeroAllowed)) {
                        throw new IllegalArgumentException(
                                "must be "
                                        + (zeroAllowed ? "zero or more" : "positive")
                                        + ", not "
                                        + text);
                    }
                    return Duration.ofMillis(ms);
                },
                description);
    }

    public String key() {
        return key;
    }

    /** The default as a settings file would write it. */
    public String defaultText() {
        return defaultText;
    }

    public String description() {
        return description;
    }

    /** The default value. */
    public T defaultValue() {
        return parse(defaultText);
    }

    /**
     * The value of {@code text}.
     *
     * @throws IllegalArgumentException naming this key when the text is not a valid value
     */
    public T parse(String text) {
        try {
            return parser.parse(text == null ? "" : text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    private static String alternatives(List<String> choices) {
        if (choices.size() == 1) {
            return choices.get(0);
        }
        return String.join(", ", choices.subList(0, choices.size() - 1))
                + " or "
                + choices.get(choices.size() - 1);
    }

    private static String format(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    @Override
    public String toString() {
        return key + " (default '" + defaultText + "')";
    }
}
