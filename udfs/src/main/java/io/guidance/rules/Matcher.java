package io.guidance.rules;

import io.guidance.event.Event;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A map from event field ({@code type}, {@code page}, {@code target}, {@code props.NAME}) to
 * patterns. An event matches when every listed field is present and matches one of its patterns
 * (SPEC section 3).
 */
public final class Matcher implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final Set<String> FIELDS = Set.of("type", "page", "target");

    private final Map<String, List<Glob>> patterns;

    /**
     * The same patterns as arrays, in map order, for {@link #matches}: it runs for every event and
     * candidate rule.
     */
    private final String[] fields;

    /** Per field: the property name for {@code props.NAME}, else null. */
    private final String[] propNames;

    private final Glob[][] globs;

    public Matcher(Map<String, List<Glob>> patterns) {
        this.patterns = Collections.unmodifiableMap(new LinkedHashMap<>(patterns));
        int n = this.patterns.size();
        fields = new String[n];
        propNames = new String[n];
        globs = new Glob[n][];
        int i = 0;
        for (Map.Entry<String, List<Glob>> f : this.patterns.entrySet()) {
            fields[i] = f.getKey();
            propNames[i] = f.getKey().startsWith("props.") ? f.getKey().substring(6) : null;
            globs[i] = f.getValue().toArray(new Glob[0]);
            i++;
        }
    }

    public static boolean isMatchableField(String name) {
        return FIELDS.contains(name) || (name.startsWith("props.") && name.length() > 6);
    }

    public boolean matches(Event e) {
        for (int i = 0; i < fields.length; i++) {
            String value;
            if (propNames[i] != null) {
                value = e.props == null ? null : e.props.get(propNames[i]);
            } else {
                value = e.field(fields[i]);
            }
            if (value == null) {
                return false;
            }
            boolean any = false;
            for (Glob g : globs[i]) {
                if (g.matches(value)) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }

    /**
     * The event types this matcher can match, or null when it can match any type (no {@code type}
     * field, or a {@code type} pattern with a star). Used to index rules by event type.
     */
    public Set<String> eventTypes() {
        List<Glob> types = patterns.get("type");
        if (types == null) {
            return null;
        }
        Set<String> out = new TreeSet<>();
        for (Glob g : types) {
            if (g.exactValue() == null) {
                return null;
            }
            out.add(g.exactValue());
        }
        return out;
    }

    public Map<String, List<Glob>> patterns() {
        return patterns;
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        patterns.forEach((k, v) -> parts.add(k + ": " + (v.size() == 1 ? v.get(0) : v)));
        return "{" + String.join(", ", parts) + "}";
    }
}
