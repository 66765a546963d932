package io.bnn4j.nn;

/** The shape of one example between layers: (C, H, W); a flat vector is (features, 1, 1). */
public record ImageShape(int c, int h, int w) {
    public ImageShape {
        if (c < 1 || h < 1 || w < 1) throw new IllegalArgumentException("invalid shape " + c + "x" + h + "x" + w);
    }

    /** Floats per example: C·H·W. */
    public int size() {
        return Math.multiplyExact(Math.multiplyExact(c, h), w);
    }

    @Override
    public String toString() {
        return "(" + c + ", " + h + ", " + w + ")";
    }
}
