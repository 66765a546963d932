package io.bnn4j;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A closed choice with one spelling for the command line, the model file and JSON
 * ({@code "lrt"}, {@code "l1-filter"}); {@link #of} reads it back.
 */
public interface Labelled {

    String label();

    /** The constant of {@code type} spelled {@code label} (case-insensitive). */
    static <E extends Enum<E> & Labelled> E of(Class<E> type, String label) {
        String l = label == null ? "" : label.trim().toLowerCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) if (e.label().equals(l)) return e;
        throw new IllegalArgumentException("'" + label + "' is not one of " + String.join(", ", labels(type)));
    }

    /** Every label of {@code type}, in declaration order. */
    static <E extends Enum<E> & Labelled> List<String> labels(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Labelled::label).toList();
    }
}
