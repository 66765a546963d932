package io.bnn4j.data;

import io.bnn4j.BnnInputException;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Shared plumbing of the loaders: opening (gzip recognised by its magic bytes, not its
 * name), bounded reading, and turning every problem into a one-line
 * {@link BnnInputException} that names the file.
 *
 * <p>The rule for headers: nothing is allocated from a size a file claims until that size
 * passed every check that needs no allocation, and even then {@link #readExactly} grows its
 * buffer only as real bytes arrive, so a lying header costs at most twice the bytes the file
 * really holds.
 */
final class DataFiles {

    /**
     * Deflate cannot expand data by more than about 1032:1 (a 258-byte match costs at least
     * 2 bits); a gzip file that claims more than this many bytes per compressed byte is
     * truncated or lying, and is refused before anything is allocated.
     */
    static final long MAX_GZIP_RATIO = 1032;
    /** Slack for the gzip header and trailer and the IDX header in that bound. */
    private static final long GZIP_SLACK = 4096;

    private static final int FIRST_CHUNK = 1 << 20;
    private static final int BUFFER = 1 << 16;

    private DataFiles() {}

    static BnnInputException error(Path file, String problem) {
        return new BnnInputException(file + ": " + problem);
    }

    /** An I/O failure as one line naming the file. */
    static BnnInputException ioError(Path file, IOException e) {
        String problem = switch (e) {
            case NoSuchFileException x -> "does not exist";
            case AccessDeniedException x -> "permission denied";
            case EOFException x -> "is truncated (unexpected end of data)";
            case ZipException x -> "is not valid gzip data (" + oneLine(x.getMessage()) + ")";
            case IOException x when String.valueOf(x.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("truncated") ->
                    "is truncated (" + oneLine(x.getMessage()) + ")";
            default -> "cannot be read (" + oneLine(String.valueOf(e.getMessage())) + ")";
        };
        return new BnnInputException(file + ": " + problem, e);
    }

    static String oneLine(String s) {
        return s == null ? "no detail" : s.replaceAll("\\s+", " ").trim();
    }

    /** The size of a regular, non-empty file; refuses directories, missing and empty files. */
    static long requireFile(Path file) {
        if (Files.isDirectory(file)) throw error(file, "is a directory, expected a file");
        if (!Files.exists(file)) throw error(file, "does not exist");
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw ioError(file, e);
        }
        if (size == 0) throw error(file, "is empty");
        return size;
    }

    static boolean isGzip(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        } catch (IOException e) {
            throw ioError(file, e);
        }
    }

    /** A buffered stream of the file's content, gunzipped when it starts with the gzip magic. */
    static InputStream open(Path file, boolean gzip) throws IOException {
        InputStream raw = Files.newInputStream(file);
        try {
            return gzip ? new BufferedInputStream(new GZIPInputStream(raw, BUFFER), BUFFER)
                        : new BufferedInputStream(raw, BUFFER);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** Refuses a gzip file whose claimed content could not come out of its compressed size. */
    static void checkGzipClaim(Path file, long compressedBytes, long claimedBytes, String what) {
        if (claimedBytes > compressedBytes * MAX_GZIP_RATIO + GZIP_SLACK) {
            throw error(file, "is truncated or corrupt: its header claims " + claimedBytes + " bytes of " + what
                    + ", more than " + compressedBytes + " compressed bytes can hold");
        }
    }

    static int readIntBE(InputStream in) throws IOException {
        int a = in.read(), b = in.read(), c = in.read(), d = in.read();
        if ((a | b | c | d) < 0) throw new EOFException();
        return (a << 24) | (b << 16) | (c << 8) | d;
    }

    /**
     * Reads exactly {@code n} bytes (n ≤ {@link Dataset#MAX_PIXEL_BYTES}), growing the buffer
     * as data arrives (so memory follows the bytes really present, never the claim alone).
     * A stream that ends early (a short file, or a gzip stream cut anywhere) is one
     * {@link BnnInputException} saying how many whole items of {@code itemBytes} bytes it held.
     */
    static byte[] readExactly(InputStream in, long n, Path file, String what, long itemBytes, String items) throws IOException {
        if (n < 0 || n > Dataset.MAX_PIXEL_BYTES) throw new IllegalArgumentException("size " + n);
        int total = (int) n;
        byte[] buf = new byte[Math.min(total, FIRST_CHUNK)];
        int have = 0;
        while (have < total) {
            if (have == buf.length) buf = Arrays.copyOf(buf, (int) Math.min(total, 2L * buf.length));
            int r;
            try {
                r = in.read(buf, have, buf.length - have);
            } catch (EOFException e) {
                r = -1;   // GZIPInputStream: the compressed stream ends before its trailer
            }
            if (r < 0) throw truncated(file, what, total, have, itemBytes, items);
            have += r;
        }
        return buf;
    }

    /** As above, for data without a record structure (one item = one byte). */
    static byte[] readExactly(InputStream in, long n, Path file, String what) throws IOException {
        return readExactly(in, n, file, what, 1, "bytes");
    }

    static BnnInputException truncated(Path file, String what, long total, long have, long itemBytes, String items) {
        String counts = itemBytes <= 1 ? "found only " + have + " bytes"
                : "the data ends after " + (have / itemBytes) + " of " + (total / itemBytes) + " " + items
                  + " (" + have + " of " + total + " bytes)";
        return error(file, "is truncated: expected " + total + " bytes of " + what + ", " + counts);
    }

    /** Fails when the stream holds anything more (counting at most 1 MiB of the excess). */
    static void expectEnd(InputStream in, Path file, String what) throws IOException {
        if (in.read() >= 0) {
            long extra = 1;
            byte[] skip = new byte[BUFFER];
            for (int r; extra <= FIRST_CHUNK && (r = in.read(skip)) > 0; ) extra += r;
            throw error(file, "has " + (extra > FIRST_CHUNK ? "more than " + FIRST_CHUNK : String.valueOf(extra))
                    + " unexpected byte(s) after " + what);
        }
    }
}
