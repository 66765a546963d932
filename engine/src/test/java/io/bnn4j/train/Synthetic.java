package io.bnn4j.train;

import io.bnn4j.random.Philox;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A separable synthetic set: class k of 4 is a bright 10×10 square in quadrant k (jittered by
 * up to 3 pixels) over uniform noise in [0, 0.3], 32×32, one channel; a pure function of (seed, i).
 */
final class Synthetic implements BatchSource {

    private final int size;
    private final long seed;
    private final boolean nan;

    Synthetic(int size, long seed) {
        this(size, seed, false);
    }

    /** With {@code nan}, every pixel of image 0 is NaN (to test divergence handling). */
    Synthetic(int size, long seed, boolean nan) {
        this.size = size;
        this.seed = seed;
        this.nan = nan;
    }

    @Override public int size() { return size; }
    @Override public int channels() { return 1; }
    @Override public int height() { return 32; }
    @Override public int width() { return 32; }
    @Override public int label(int i) { return i % 4; }

    @Override
    public void writeBatch(int[] indices, int from, int count, MemorySegment dst, long dstOff) {
        float[] img = new float[1024];
        int[] w = new int[4];
        for (int k = 0; k < count; k++) {
            int i = indices[from + k];
            Philox.words(seed, i, 1L << 40, w);
            int dy = Math.floorMod(w[0], 7) - 3, dx = Math.floorMod(w[1], 7) - 3;
            int q = label(i), y0 = (q / 2) * 16 + 3 + dy, x0 = (q % 2) * 16 + 3 + dx;
            for (int p = 0; p < 1024; p++) {
                Philox.words(seed, i, p, w);
                img[p] = 0.3f * Philox.uniform(w[2]);
            }
            for (int y = Math.max(0, y0); y < Math.min(32, y0 + 10); y++)
                for (int x = Math.max(0, x0); x < Math.min(32, x0 + 10); x++) img[y * 32 + x] = 0.9f;
            if (nan && i == 0) java.util.Arrays.fill(img, Float.NaN);
            MemorySegment.copy(img, 0, dst, ValueLayout.JAVA_FLOAT, (dstOff + (long) k * 1024) * Float.BYTES, 1024);
        }
    }
}
