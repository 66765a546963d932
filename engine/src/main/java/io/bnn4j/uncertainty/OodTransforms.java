package io.bnn4j.uncertainty;

import io.bnn4j.random.Philox;

/**
 * Synthetic out-of-distribution inputs made from (or shaped like) a batch of images, for
 * evaluation tests when no second dataset is at hand. Images are float[] in (N, C, H, W)
 * row-major layout with values in [0, 1] (the engine's input scaling); every function returns
 * a new array and leaves its input alone.
 *
 * <ul>
 *   <li>{@link #uniformNoise}: every pixel uniform in (0, 1), reproducible from a seed
 *       (counter-based: pixel j is a pure function of (seed, j));</li>
 *   <li>{@link #invert}: 1 − x (e.g. white digits on black become black on white);</li>
 *   <li>{@link #flipHorizontal}, {@link #flipVertical}: mirror each image left-right or
 *       upside-down (a 6 becomes a 9-like shape; text becomes mirror text).</li>
 * </ul>
 */
public final class OodTransforms {

    /** The Philox stream of the noise, apart from the streams that training uses. */
    private static final long NOISE_STREAM = 0x00D_0715EL;

    private OodTransforms() {}

    /** N images of C×H×W pixels, each uniform in (0, 1): (N, C, H, W). */
    public static float[] uniformNoise(int n, int c, int h, int w, long seed) {
        int size = checkedSize(n, c, h, w);
        float[] x = new float[size];
        int[] words = new int[4];
        for (int j = 0; j < size; j += 4) {
            Philox.words(seed, NOISE_STREAM, j >>> 2, words);
            for (int lane = 0; lane < 4 && j + lane < size; lane++) x[j + lane] = Philox.uniform(words[lane]);
        }
        return x;
    }

    /** 1 − x, element-wise. */
    public static float[] invert(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = 1f - x[i];
        return y;
    }

    /** Each image mirrored left-right: y[n, c, i, j] = x[n, c, i, W − 1 − j]. */
    public static float[] flipHorizontal(float[] x, int n, int c, int h, int w) {
        checkLength(x, n, c, h, w);
        float[] y = new float[x.length];
        int rows = n * c * h;
        for (int r = 0; r < rows; r++) {
            int base = r * w;
            for (int j = 0; j < w; j++) y[base + j] = x[base + w - 1 - j];
        }
        return y;
    }

    /** Each image upside-down: y[n, c, i, j] = x[n, c, H − 1 − i, j]. */
    public static float[] flipVertical(float[] x, int n, int c, int h, int w) {
        checkLength(x, n, c, h, w);
        float[] y = new float[x.length];
        int planes = n * c;
        for (int p = 0; p < planes; p++) {
            int base = p * h * w;
            for (int i = 0; i < h; i++)
                System.arraycopy(x, base + (h - 1 - i) * w, y, base + i * w, w);
        }
        return y;
    }

    private static int checkedSize(int n, int c, int h, int w) {
        if (n < 0 || c < 0 || h < 0 || w < 0)
            throw new IllegalArgumentException("negative image shape (" + n + ", " + c + ", " + h + ", " + w + ")");
        long size = (long) n * c * h * w;
        if (size > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("image shape (" + n + ", " + c + ", " + h + ", " + w + ") too large for one array");
        return (int) size;
    }

    private static void checkLength(float[] x, int n, int c, int h, int w) {
        int size = checkedSize(n, c, h, w);
        if (x.length != size)
            throw new IllegalArgumentException("images have " + x.length + " values, shape (" + n + ", " + c + ", "
                    + h + ", " + w + ") needs " + size);
    }
}
