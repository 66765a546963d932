package io.bnn4j.cli;

import java.util.List;

/**
 * A tiny JSON object writer for the {@code --json} output: one object per line, keys in
 * insertion order. Strings are escaped per RFC 8259 (plus U+2028/U+2029 and lone surrogates,
 * so that the output is always valid UTF-8 and safe to embed). JSON has no NaN or infinity:
 * non-finite numbers are written as {@code null}.
 */
public final class Json {

    private final StringBuilder sb = new StringBuilder("{");
    private boolean first = true;

    public static Json object() {
        return new Json();
    }

    private StringBuilder key(String k) {
        if (!first) sb.append(',');
        first = false;
        quote(sb, k);
        return sb.append(':');
    }

    public Json put(String k, String v) {
        StringBuilder b = key(k);
        if (v == null) b.append("null"); else quote(b, v);
        return this;
    }

    public Json put(String k, long v) {
        key(k).append(v);
        return this;
    }

    public Json put(String k, double v) {
        number(key(k), v);
        return this;
    }

    public Json put(String k, boolean v) {
        key(k).append(v);
        return this;
    }

    /** A nullable number: {@code null} when absent. */
    public Json put(String k, Double v) {
        if (v == null) key(k).append("null"); else put(k, v.doubleValue());
        return this;
    }

    /** A nullable integer: {@code null} when absent. */
    public Json put(String k, Long v) {
        if (v == null) key(k).append("null"); else put(k, v.longValue());
        return this;
    }

    /** An array of numbers; a null array is {@code null}. */
    public Json put(String k, double[] v) {
        StringBuilder b = key(k);
        if (v == null) { b.append("null"); return this; }
        b.append('[');
        for (int i = 0; i < v.length; i++) {
            if (i > 0) b.append(',');
            number(b, v[i]);
        }
        b.append(']');
        return this;
    }

    public Json put(String k, long[] v) {
        StringBuilder b = key(k).append('[');
        for (int i = 0; i < v.length; i++) {
            if (i > 0) b.append(',');
            b.append(v[i]);
        }
        b.append(']');
        return this;
    }

    public Json putStrings(String k, List<String> v) {
        StringBuilder b = key(k).append('[');
        for (int i = 0; i < v.size(); i++) {
            if (i > 0) b.append(',');
            quote(b, v.get(i));
        }
        b.append(']');
        return this;
    }

    public Json put(String k, Json nested) {
        key(k).append(nested == null ? "null" : nested.toString());
        return this;
    }

    public Json putObjects(String k, List<Json> v) {
        StringBuilder b = key(k).append('[');
        for (int i = 0; i < v.size(); i++) {
            if (i > 0) b.append(',');
            b.append(v.get(i));
        }
        b.append(']');
        return this;
    }

    @Override
    public String toString() {
        return sb + "}";
    }

    private static void number(StringBuilder b, double v) {
        // Double.toString is the shortest form that round-trips ("0.1", "1.0E-5", "-0.0"): all valid JSON.
        if (Double.isFinite(v)) b.append(v); else b.append("null");
    }

    /** Appends {@code s} as a JSON string literal. */
    static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    boolean lone = Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1)));
                    if (Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1))) lone = false;
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || lone) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
