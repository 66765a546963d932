package io.bnn4j.io;

/**
 * How a tensor's elements are laid out in the file (see docs/FORMAT.md).
 * {@link ModelWriter} picks the smallest automatically unless told otherwise.
 */
public enum Encoding {
    /** Every element, in row-major order. */
    DENSE(0),
    /** A bitmap of which elements are nonzero (1 bit each), then the nonzero values. */
    SPARSE_BITMAP(1),
    /** The sorted indices of the nonzero elements (u32 each), then their values. */
    SPARSE_INDICES(2);

    /** The byte that names this encoding in the file. */
    public final int code;

    Encoding(int code) {
        this.code = code;
    }

    static Encoding ofCode(int code) {
        for (Encoding e : values()) if (e.code == code) return e;
        return null;
    }

    /** The lower-case name used in docs and {@code bnn info}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * Payload bytes of a tensor of {@code count} elements, {@code nonzeros} of them nonzero,
     * stored in this encoding (the layouts of docs/FORMAT.md).
     */
    public long payloadBytes(long count, long nonzeros, DType dtype) {
        return switch (this) {
            case DENSE -> count * dtype.bytes;
            case SPARSE_BITMAP -> 8 + (count + 7) / 8 + nonzeros * dtype.bytes;
            case SPARSE_INDICES -> 8 + nonzeros * (4L + dtype.bytes);
        };
    }

    /** The smallest encoding for these counts; ties go to DENSE, then SPARSE_BITMAP. */
    public static Encoding smallest(long count, long nonzeros, DType dtype) {
        Encoding best = DENSE;
        for (Encoding e : new Encoding[]{SPARSE_BITMAP, SPARSE_INDICES}) {
            if (e.payloadBytes(count, nonzeros, dtype) < best.payloadBytes(count, nonzeros, dtype)) best = e;
        }
        return best;
    }
}
