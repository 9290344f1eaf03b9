package io.guidance.rules;

import java.io.Serializable;

/**
 * A rule pattern: the field's text must equal it, where {@code *} stands for any run of characters.
 * Compiled once into its literal pieces so that matching is a few {@code startsWith}/{@code
 * indexOf} calls, with no regex.
 */
public final class Glob implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String pattern;
    private final String[] pieces; // literal pieces between stars
    private final boolean exact;

    public Glob(String pattern) {
        this.pattern = pattern;
        this.exact = pattern.indexOf('*') < 0;
        this.pieces = pattern.split("\\*", -1);
    }

    public String pattern() {
        return pattern;
    }

    /** The literal the text must equal when the pattern has no star; null otherwise. */
    public String exactValue() {
        return exact ? pattern : null;
    }

    public boolean matches(String text) {
        if (text == null) {
            return false;
        }
        if (exact) {
            return pattern.equals(text);
        }
        String first = pieces[0];
        String last = pieces[pieces.length - 1];
        if (text.length() < first.length() + last.length()
                || !text.startsWith(first)
                || !text.endsWith(last)) {
            return false;
        }
        int from = first.length();
        int end = text.length() - last.length();
        for (int i = 1; i < pieces.length - 1; i++) {
            String piece = pieces[i];
            int at = text.indexOf(piece, from);
            if (at < 0 || at + piece.length() > end) {
                return false;
            }
            from = at + piece.length();
        }
        return true;
    }

    @Override
    public String toString() {
        return pattern;
    }
}
