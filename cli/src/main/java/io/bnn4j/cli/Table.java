package io.bnn4j.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table for human output: a header row, then rows; columns padded to their
 * widest cell, numbers (cells that start with a digit, a sign or a dot) right-aligned.
 */
public final class Table {

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... headers) {
        this.headers = List.of(headers);
    }

    public Table row(Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException(cells.length + " cells for " + headers.size() + " columns");
        }
        List<String> r = new ArrayList<>();
        for (Object c : cells) r.add(c == null ? "-" : c.toString());
        rows.add(r);
        return this;
    }

    public int size() {
        return rows.size();
    }

    private static boolean numeric(String s) {
        return !s.isEmpty() && (Character.isDigit(s.charAt(0)) || ((s.charAt(0) == '-' || s.charAt(0) == '+' || s.charAt(0) == '.')
                && s.length() > 1 && (Character.isDigit(s.charAt(1)) || s.charAt(1) == '.')));
    }

    /** The table as lines, each without a trailing newline. */
    public List<String> lines() {
        int n = headers.size();
        int[] width = new int[n];
        boolean[] right = new boolean[n];
        for (int c = 0; c < n; c++) {
            width[c] = headers.get(c).length();
            right[c] = !rows.isEmpty();
            for (List<String> r : rows) {
                width[c] = Math.max(width[c], r.get(c).length());
                if (!numeric(r.get(c)) && !r.get(c).equals("-")) right[c] = false;
            }
        }
        List<String> out = new ArrayList<>();
        out.add(format(headers, width, right));
        for (List<String> r : rows) out.add(format(r, width, right));
        return out;
    }

    private static String format(List<String> cells, int[] width, boolean[] right) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            if (c > 0) b.append("  ");
            String s = cells.get(c);
            String pad = " ".repeat(width[c] - s.length());
            b.append(right[c] ? pad + s : (c == cells.size() - 1 ? s : s + pad));
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return String.join(System.lineSeparator(), lines());
    }
}
