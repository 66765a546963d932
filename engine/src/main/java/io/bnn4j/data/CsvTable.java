package io.bnn4j.data;

import io.bnn4j.BnnInputException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A numeric table from a CSV file: a header line of column names, then one row of numbers per
 * line, comma-separated (blank lines and surrounding spaces ignored; no quoting). Every problem
 * is a {@link BnnInputException} naming the file and the line.
 *
 * @param rows rows[r][c], every value finite
 */
public record CsvTable(Path source, List<String> columns, double[][] rows) {

    /**
     * Largest file read: the table is held as rows of doubles, up to about 20× its text for a
     * narrow table of short numbers (an array per row), so a 256 MiB file can take 5 GiB.
     */
    public static final long MAX_BYTES = 256L << 20;

    public CsvTable {
        columns = List.copyOf(columns);
    }

    public int size() {
        return rows.length;
    }

    /** The index of column {@code name}; a BnnInputException listing the columns otherwise. */
    public int column(String name) {
        int i = columns.indexOf(name);
        if (i < 0) throw new BnnInputException(source + ": has no column '" + name + "' (columns: " + String.join(", ", columns) + ")");
        return i;
    }

    /** Column {@code c} of every row. */
    public double[] values(int c) {
        double[] v = new double[rows.length];
        for (int r = 0; r < rows.length; r++) v[r] = rows[r][c];
        return v;
    }

    public static CsvTable read(Path file) {
        try {
            if (Files.isDirectory(file)) throw new BnnInputException(file + ": is a directory, not a CSV file");
            if (Files.size(file) > MAX_BYTES) throw new BnnInputException(file + ": is larger than " + (MAX_BYTES >> 20) + " MiB");
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                return parse(file, in);
            }
        } catch (NoSuchFileException e) {
            throw new BnnInputException(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new BnnInputException(file + ": is not UTF-8 text");
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    private static CsvTable parse(Path file, BufferedReader in) throws IOException {
        String line;
        int lineNo = 0;
        List<String> header = null;
        List<double[]> rows = new ArrayList<>();
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1);   // a UTF-8 byte-order mark
            if (line.isBlank()) continue;
            String[] cells = line.split(",", -1);
            if (header == null) {
                header = new ArrayList<>();
                Set<String> seen = new HashSet<>();
                for (String c : cells) {
                    String name = c.strip();
                    if (name.isEmpty()) throw new BnnInputException(file + ": line " + lineNo + ": the header has an empty column name");
                    if (!seen.add(name)) throw new BnnInputException(file + ": line " + lineNo + ": the header names '" + name + "' twice");
                    header.add(name);
                }
                continue;
            }
            if (cells.length != header.size()) {
                throw new BnnInputException(file + ": line " + lineNo + ": has " + cells.length + " values, the header " + header.size() + " columns");
            }
            double[] row = new double[cells.length];
            for (int c = 0; c < cells.length; c++) {
                String cell = cells[c].strip();
                double v;
                try {
                    v = Double.parseDouble(cell);
                } catch (NumberFormatException e) {
                    throw new BnnInputException(file + ": line " + lineNo + ": column '" + header.get(c) + "' is not a number: '" + cell + "'");
                }
                if (!Double.isFinite(v) || cell.endsWith("d") || cell.endsWith("f") || cell.endsWith("D") || cell.endsWith("F")) {
                    throw new BnnInputException(file + ": line " + lineNo + ": column '" + header.get(c) + "' is not a finite number: '" + cell + "'");
                }
                row[c] = v;
            }
            rows.add(row);
        }
        if (header == null) throw new BnnInputException(file + ": is empty (expected a header line of column names, then rows of numbers)");
        if (rows.isEmpty()) throw new BnnInputException(file + ": has a header but no rows");
        return new CsvTable(file, header, rows.toArray(double[][]::new));
    }
}
