package io.bnn4j.io;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * Seeded random damage to a file's bytes, for the parsers' fuzz tests: truncations, bit flips
 * and header rewrites (a 4- or 8-byte little- or big-endian word near the start overwritten
 * with an extreme value). Each mutation has a one-line description for the failure report.
 */
public final class Mutations {

    /** A mutated file and what was done to it. */
    public record Mutant(byte[] bytes, String what) {}

    private static final long[] EXTREMES = {0, 1, -1, 2, 255, 256, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL,
            Long.MAX_VALUE, Long.MIN_VALUE, 1L << 32, 1L << 40, 65_536, 4_096, 4_097, 1_000_000_007};

    private Mutations() {}

    /**
     * Mutation {@code i} of a series: cycles through truncation, bit flips and header rewrites.
     *
     * @param headerBytes how far from the start header rewrites reach
     */
    public static Mutant mutate(byte[] good, Random r, int i, int headerBytes) {
        return switch (i % 3) {
            case 0 -> {
                int len = r.nextInt(good.length);
                yield new Mutant(Arrays.copyOf(good, len), "truncated to " + len + " of " + good.length + " bytes");
            }
            case 1 -> {
                byte[] b = good.clone();
                int flips = 1 + r.nextInt(4);
                StringBuilder at = new StringBuilder();
                for (int f = 0; f < flips; f++) {
                    int pos = r.nextInt(b.length), bit = r.nextInt(8);
                    b[pos] ^= (byte) (1 << bit);
                    at.append(f == 0 ? "" : ",").append(pos).append(':').append(bit);
                }
                yield new Mutant(b, "bits flipped at " + at);
            }
            default -> {
                byte[] b = good.clone();
                int width = r.nextBoolean() ? 4 : 8;
                int pos = r.nextInt(Math.max(1, Math.min(headerBytes, b.length) - width + 1));
                long v = r.nextInt(4) == 0 ? r.nextLong() : EXTREMES[r.nextInt(EXTREMES.length)];
                boolean little = r.nextBoolean();
                for (int k = 0; k < width && pos + k < b.length; k++) {
                    int shift = 8 * (little ? k : width - 1 - k);
                    b[pos + k] = (byte) (v >>> shift);
                }
                yield new Mutant(b, "header word at " + pos + " (" + width + " bytes, " + (little ? "LE" : "BE") + ") = " + v);
            }
        };
    }

    /** Rewrites the last 4 bytes as the CRC32C of the rest (a model file's checksum), so damage reaches the checks behind it. */
    public static byte[] withModelChecksum(byte[] b) {
        if (b.length < 4) return b;
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        int v = (int) crc.getValue();
        for (int k = 0; k < 4; k++) b[b.length - 4 + k] = (byte) (v >>> (8 * k));
        return b;
    }

    /** Bytes allocated on the heap by the current thread so far (HotSpot's per-thread counter). */
    public static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
