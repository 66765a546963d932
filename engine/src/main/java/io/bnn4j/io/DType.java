package io.bnn4j.io;

/** Element type of a stored tensor. The code is the byte written in the file. */
public enum DType {
    /** IEEE 754 binary32, little-endian. */
    FLOAT32(1, 4),
    /** Two's-complement 32-bit integer, little-endian. */
    INT32(2, 4),
    /** Unsigned 8-bit integer (masks). */
    UINT8(3, 1);

    /** The byte that names this type in the file. */
    public final int code;
    /** Bytes per element. */
    public final int bytes;

    DType(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }

    /** The type with file code {@code code}, or null when there is none. */
    static DType ofCode(int code) {
        for (DType t : values()) if (t.code == code) return t;
        return null;
    }

    /** The lower-case name used in docs and {@code bnn info}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
