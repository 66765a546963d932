package io.bnn4j.io;

import io.bnn4j.BnnInputException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The typed key/value entries of a model file, in insertion order. A value is one of four
 * types (the type byte of docs/FORMAT.md): a {@link String}, a {@code long}, a {@code double}
 * or a list of strings. Keys are non-empty strings; the keys bnn4j itself uses are listed in
 * {@link ModelKeys}.
 *
 * <p>The typed getters that read a required entry throw {@link BnnInputException} naming the
 * key (and the file, when the metadata was read from one) when it is missing or has another
 * type.
 */
public final class Metadata {

    /** Type byte of each value type in the file. */
    static final int STRING = 1, INT64 = 2, FLOAT64 = 3, STRING_LIST = 4;

    private final Map<String, Object> entries = new LinkedHashMap<>();
    private final String source;   // "model.bnn" when read from a file, for messages; else null

    public Metadata() {
        this(null);
    }

    Metadata(String source) {
        this.source = source;
    }

    // ------------------------------------------------------------------ writing

    public Metadata put(String key, String value) {
        return putChecked(key, requireNonNull(key, value));
    }

    public Metadata put(String key, long value) {
        return putChecked(key, value);
    }

    public Metadata put(String key, double value) {
        return putChecked(key, value);
    }

    public Metadata put(String key, List<String> values) {
        requireNonNull(key, values);
        for (String s : values) {
            if (s == null) throw new IllegalArgumentException("metadata '" + key + "': null in the string list");
        }
        return putChecked(key, List.copyOf(values));
    }

    /** Replaces this metadata's entries by a copy of {@code other}'s, keeping order. */
    public Metadata putAll(Metadata other) {
        entries.putAll(other.entries);
        return this;
    }

    public Metadata remove(String key) {
        entries.remove(key);
        return this;
    }

    private static <T> T requireNonNull(String key, T value) {
        if (value == null) throw new IllegalArgumentException("metadata '" + key + "': null value");
        return value;
    }

    private Metadata putChecked(String key, Object value) {
        if (key == null || key.isEmpty()) throw new IllegalArgumentException("metadata key must be a non-empty string");
        entries.put(key, value);
        return this;
    }

    /** Inserts an entry read from a file; duplicate keys are corrupt. */
    void putRead(String key, Object value, String where) {
        if (entries.putIfAbsent(key, value) != null) {
            throw new BnnInputException(where + ": metadata key '" + ModelFile.printable(key) + "' appears twice (the file is corrupt)");
        }
    }

    // ------------------------------------------------------------------ reading

    public boolean has(String key) {
        return entries.containsKey(key);
    }

    public int size() {
        return entries.size();
    }

    /** Every entry in file order: values are String, Long, Double or List&lt;String&gt;. */
    public Map<String, Object> asMap() {
        return Collections.unmodifiableMap(entries);
    }

    public Optional<String> string(String key) {
        return Optional.ofNullable(typed(key, String.class, "a string"));
    }

    public OptionalLong int64(String key) {
        Long v = typed(key, Long.class, "an integer");
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /** A double entry; an integer entry is accepted and widened. */
    public OptionalDouble float64(String key) {
        Object v = entries.get(key);
        if (v == null) return OptionalDouble.empty();
        if (v instanceof Double d) return OptionalDouble.of(d);
        if (v instanceof Long l) return OptionalDouble.of(l);
        throw wrongType(key, "a number", v);
    }

    @SuppressWarnings("unchecked")
    public Optional<List<String>> strings(String key) {
        return Optional.ofNullable((List<String>) typed(key, List.class, "a string list"));
    }

    public String requireString(String key) {
        return string(key).orElseThrow(() -> missing(key));
    }

    public long requireInt64(String key) {
        return int64(key).orElseThrow(() -> missing(key));
    }

    public double requireFloat64(String key) {
        return float64(key).orElseThrow(() -> missing(key));
    }

    public List<String> requireStrings(String key) {
        return strings(key).orElseThrow(() -> missing(key));
    }

    private <T> T typed(String key, Class<T> type, String what) {
        Object v = entries.get(key);
        if (v == null) return null;
        if (!type.isInstance(v)) throw wrongType(key, what, v);
        return type.cast(v);
    }

    private BnnInputException missing(String key) {
        return new BnnInputException(prefix() + "metadata '" + ModelFile.printable(key) + "' is missing");
    }

    private BnnInputException wrongType(String key, String what, Object v) {
        return new BnnInputException(prefix() + "metadata '" + ModelFile.printable(key) + "' should be " + what + " but is " + typeName(v));
    }

    private String prefix() {
        return source == null ? "" : source + ": ";
    }

    /** The type name of a value as docs/FORMAT.md calls it. */
    public static String typeName(Object v) {
        return switch (v) {
            case String s -> "string";
            case Long l -> "int64";
            case Double d -> "float64";
            case List<?> l -> "string-list";
            default -> v.getClass().getSimpleName();
        };
    }

    static int typeCode(Object v) {
        return switch (v) {
            case String s -> STRING;
            case Long l -> INT64;
            case Double d -> FLOAT64;
            case List<?> l -> STRING_LIST;
            default -> throw new IllegalStateException("unexpected metadata value " + v.getClass());
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Metadata m && entries.equals(m.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return entries.toString();
    }
}
