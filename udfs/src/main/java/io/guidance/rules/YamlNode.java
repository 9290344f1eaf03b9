package io.guidance.rules;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as a tree that remembers the line of every node, so that a rule problem can name
 * its line. Jackson's own tree model drops locations; this one is built from the token stream.
 */
public final class YamlNode {
    public enum Kind {
        MAP,
        LIST,
        SCALAR,
        NULL
    }

    private final Kind kind;
    private final int line;
    private final String text;
    private final boolean quotedOrString;
    private final Map<String, YamlNode> fields;
    private final Map<String, Integer> keyLines;
    private final List<YamlNode> items;
    private final List<String> duplicateKeys;

    private YamlNode(
            Kind kind,
            int line,
            String text,
            boolean string,
            Map<String, YamlNode> fields,
            Map<String, Integer> keyLines,
            List<YamlNode> items,
            List<String> duplicateKeys) {
        this.kind = kind;
        this.line = line;
        this.text = text;
        this.quotedOrString = string;
        this.fields = fields;
        this.keyLines = keyLines;
        this.items = items;
        this.duplicateKeys = duplicateKeys;
    }

    /**
     * Parses one YAML document. Syntax errors surface as {@link IOException} with Jackson's line
     * information.
     */
    public static YamlNode parse(String yaml) throws IOException {
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return new YamlNode(Kind.NULL, 1, null, false, null, null, null, null);
            }
            try {
                return read(p);
            } catch (StreamConstraintsException e) {
                // the limit's exception has no location; the parser knows where it stopped
                throw new JsonParseException(p, e.getOriginalMessage(), e);
            }
        }
    }

    private static YamlNode read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        int line = p.currentTokenLocation().getLineNr();
        switch (t) {
            case START_OBJECT:
                {
                    Map<String, YamlNode> fields = new LinkedHashMap<>();
                    Map<String, Integer> keyLines = new LinkedHashMap<>();
                    List<String> duplicates = new ArrayList<>();
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        int keyLine = p.currentTokenLocation().getLineNr();
                        p.nextToken();
                        YamlNode value = read(p);
                        if (fields.containsKey(name)) {
                            duplicates.add(name);
                        }
                        fields.put(name, value);
                        keyLines.put(name, keyLine);
                    }
                    return new YamlNode(
                            Kind.MAP, line, null, false, fields, keyLines, null, duplicates);
                }
            case START_ARRAY:
                {
                    List<YamlNode> items = new ArrayList<>();
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        items.add(read(p));
                    }
                    return new YamlNode(Kind.LIST, line, null, false, null, null, items, null);
                }
            case VALUE_NULL:
                return new YamlNode(Kind.NULL, line, null, false, null, null, null, null);
            case VALUE_STRING:
                return new YamlNode(Kind.SCALAR, line, p.getText(), true, null, null, null, null);
            default:
                // numbers and booleans: keep their YAML text, which is also their JSON text
                return new YamlNode(Kind.SCALAR, line, p.getText(), false, null, null, null, null);
        }
    }

    public Kind kind() {
        return kind;
    }

    public int line() {
        return line;
    }

    public boolean isMap() {
        return kind == Kind.MAP;
    }

    public boolean isList() {
        return kind == Kind.LIST;
    }

    public boolean isScalar() {
        return kind == Kind.SCALAR;
    }

    /** True when the scalar was a YAML string rather than a number or boolean. */
    public boolean isString() {
        return kind == Kind.SCALAR && quotedOrString;
    }

    public String text() {
        return text;
    }

    public Map<String, YamlNode> fields() {
        return fields == null ? Collections.emptyMap() : fields;
    }

    public List<YamlNode> items() {
        return items == null ? Collections.emptyList() : items;
    }

    public List<String> duplicateKeys() {
        return duplicateKeys == null ? Collections.emptyList() : duplicateKeys;
    }

    public YamlNode get(String name) {
        return fields().get(name);
    }

    /** The line of a key in this map, or of the map itself when the key is absent. */
    public int lineOf(String key) {
        Integer l = keyLines == null ? null : keyLines.get(key);
        return l == null ? line : l;
    }
}
