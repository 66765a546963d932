package io.bnn4j.kernel;

import io.bnn4j.parallel.Parallel;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static io.bnn4j.kernel.KernelTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The Vector API convolutions (forward, backward-data, backward-weights) against the scalar
 * twin, on the geometries of the three models and odd ones that hit every strategy
 * (direct padded-row, blocked im2col, flipped-weight backward, col2im, the 6 × 16 and 12 × 8
 * weight-gradient tiles).
 *
 * <p>Tolerance: every output is a float32 sum of N products (N = cIn·k·k forward,
 * at most cOut·k·k backward-data, n·outH·outW backward-weights), summed in a different order
 * by each backend. Each is within γ(N)·Σ|products| of the exact value (γ(N) ≈ N·2⁻²⁴), so they
 * differ by at most 2·(N + 2)·2⁻²⁴·Σ|products|. Σ|products| per output is obtained by running
 * the scalar kernel on |x| and |w|: a bound that scales with N and the data, not a constant.
 */
class ConvKernelTest {

    private static final Kernels SIMD = Kernels.simd();
    private static final Kernels SCALAR = Kernels.scalar();

    /** (n, cIn, h, w, cOut, k, stride, pad). */
    private static final ConvGeometry[] GEOMETRIES = {
            // LeNet-5 on 32×32 and on 28×28 with pad 2
            new ConvGeometry(3, 1, 32, 32, 6, 5, 1, 0),
            new ConvGeometry(3, 6, 14, 14, 16, 5, 1, 0),
            new ConvGeometry(2, 1, 28, 28, 6, 5, 1, 2),
            // 3conv3fc
            new ConvGeometry(2, 3, 32, 32, 32, 5, 1, 2),
            new ConvGeometry(2, 32, 15, 15, 64, 5, 1, 2),
            new ConvGeometry(1, 64, 7, 7, 128, 5, 1, 1),
            // AlexNet (32×32 variant), channel counts as in the model
            new ConvGeometry(2, 3, 32, 32, 64, 11, 4, 5),
            new ConvGeometry(1, 64, 4, 4, 192, 5, 1, 2),
            new ConvGeometry(1, 192, 2, 2, 384, 3, 1, 1),
            new ConvGeometry(1, 384, 2, 2, 256, 3, 1, 1),
            // odd ones: primes, h != w, pad > k-1, stride 2 and 4, cOut around the tiles
            new ConvGeometry(2, 1, 1, 1, 1, 3, 1, 1),
            new ConvGeometry(3, 2, 7, 9, 7, 3, 1, 1),
            new ConvGeometry(2, 5, 9, 7, 17, 3, 2, 5),
            new ConvGeometry(1, 3, 13, 11, 33, 5, 4, 3),
            new ConvGeometry(2, 2, 17, 15, 8, 3, 2, 0),
            new ConvGeometry(9, 1, 8, 8, 9, 3, 1, 0),
            new ConvGeometry(1, 3, 11, 11, 5, 11, 1, 0),
            new ConvGeometry(1, 4, 6, 31, 16, 3, 1, 2),
            new ConvGeometry(2, 7, 5, 5, 12, 5, 1, 4),
            // 5×5 weight-gradient row tiles: K = 25 = 10 + 10 + 5 taps (both tile heights)
            new ConvGeometry(3, 1, 12, 12, 16, 5, 1, 0),
    };

    @Test
    void forwardMatchesScalar() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (ConvGeometry g : GEOMETRIES) compare(g, rnd, Parallel.serial(), 0);
    }

    @Test
    void backwardDataMatchesScalar() {
        SplittableRandom rnd = new SplittableRandom(12);
        for (ConvGeometry g : GEOMETRIES) compare(g, rnd, Parallel.serial(), 1);
    }

    @Test
    void backwardWeightsMatchesScalar() {
        SplittableRandom rnd = new SplittableRandom(13);
        for (ConvGeometry g : GEOMETRIES) compare(g, rnd, Parallel.serial(), 2);
    }

    @Test
    void parallelResultsMatchScalarAndEachOther() {
        SplittableRandom rnd = new SplittableRandom(14);
        ConvGeometry[] gs = {new ConvGeometry(19, 1, 32, 32, 6, 5, 1, 0), new ConvGeometry(17, 6, 14, 14, 16, 5, 1, 0),
                new ConvGeometry(18, 3, 12, 12, 10, 3, 2, 1)};
        try (Arena arena = Arena.ofShared(); Parallel p2 = new Parallel(2); Parallel p3 = new Parallel(3)) {
            for (ConvGeometry g : gs) {
                MemorySegment x = random(arena, (long) g.n() * g.inputSize(), rnd);
                MemorySegment w = random(arena, g.weightSize(), rnd);
                MemorySegment dy = random(arena, (long) g.n() * g.outputSize(), rnd);
                MemorySegment[] y = new MemorySegment[3], dx = new MemorySegment[3], dw = new MemorySegment[3];
                Parallel[] pools = {Parallel.serial(), p2, p3};
                for (int t = 0; t < 3; t++) {
                    y[t] = floats(arena, (long) g.n() * g.outputSize());
                    dx[t] = floats(arena, (long) g.n() * g.inputSize());
                    dw[t] = floats(arena, g.weightSize());
                    SIMD.conv2dForward(pools[t], g, x, 0, w, 0, y[t], 0);
                    SIMD.conv2dBackwardData(pools[t], g, dy, 0, w, 0, dx[t], 0);
                    SIMD.conv2dBackwardWeights(pools[t], g, x, 0, dy, 0, dw[t], 0);
                }
                for (int t = 1; t < 3; t++) {
                    assertTrue(sameBits(y[0], y[t]), g + ": forward differs with " + pools[t].threads() + " threads");
                    assertTrue(sameBits(dx[0], dx[t]), g + ": backward-data differs with " + pools[t].threads() + " threads");
                    assertTrue(sameBits(dw[0], dw[t]), g + ": backward-weights differs with " + pools[t].threads() + " threads");
                }
            }
            compare(gs[0], rnd, p3, 2);
            compare(gs[1], rnd, p2, 0);
        }
    }

    @Test
    void knownAnswer() {
        // x = [[1 2 3] [4 5 6] [7 8 9]], w = [[1 0] [0 -1]], stride 1, no pad:
        // y = [[1-5, 2-6], [4-8, 5-9]] = [[-4 -4] [-4 -4]].
        // With dy = ones: dx = Σ of w placed at each window = [[1 1 0] [1 0 -1] [0 -1 -1]],
        // dw = [[1+2+4+5, 2+3+5+6], [4+5+7+8, 5+6+8+9]] = [[12 16] [24 28]].
        ConvGeometry g = new ConvGeometry(1, 1, 3, 3, 1, 2, 1, 0);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment x = arena.allocateFrom(F, 1, 2, 3, 4, 5, 6, 7, 8, 9);
            MemorySegment w = arena.allocateFrom(F, 1, 0, 0, -1);
            MemorySegment y = floats(arena, 4), dy = filled(arena, 4, 1f), dx = floats(arena, 9), dw = floats(arena, 4);
            SIMD.conv2dForward(Parallel.serial(), g, x, 0, w, 0, y, 0);
            SIMD.conv2dBackwardData(Parallel.serial(), g, dy, 0, w, 0, dx, 0);
            SIMD.conv2dBackwardWeights(Parallel.serial(), g, x, 0, dy, 0, dw, 0);
            assertArrayEquals(new float[]{-4, -4, -4, -4}, y.toArray(F));
            assertArrayEquals(new float[]{1, 1, 0, 1, 0, -1, 0, -1, -1}, dx.toArray(F));
            assertArrayEquals(new float[]{12, 16, 24, 28}, dw.toArray(F));
            // Stride 2, pad 1, k 3 over the same x with an all-ones kernel: y = window sums
            // [[1+2+4+5, 2+3+5+6], [4+5+7+8, 5+6+8+9]] = [[12 16] [24 28]].
            ConvGeometry g2 = new ConvGeometry(1, 1, 3, 3, 1, 3, 2, 1);
            MemorySegment ones = filled(arena, 9, 1f);
            SIMD.conv2dForward(Parallel.serial(), g2, x, 0, ones, 0, y, 0);
            assertArrayEquals(new float[]{12, 16, 24, 28}, y.toArray(F));
        }
    }

    @Test
    void facadeContract() {
        ConvGeometry g = new ConvGeometry(2, 1, 8, 8, 3, 3, 1, 1);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment x = floats(arena, 2L * g.inputSize()), w = floats(arena, g.weightSize());
            MemorySegment y = floats(arena, 2L * g.outputSize());
            Parallel p = Parallel.serial();
            assertThrows(IndexOutOfBoundsException.class, () -> SIMD.conv2dForward(p, g, x, 1, w, 0, y, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> SIMD.conv2dForward(p, g, x, 0, w, 0, y, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> SIMD.conv2dBackwardData(p, g, y, 0, w, 1, x, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> SIMD.conv2dBackwardWeights(p, g, x, 0, y, 0, w, 1));
            assertThrows(IllegalArgumentException.class, () -> new ConvGeometry(-1, 1, 8, 8, 3, 3, 1, 1));
            // An empty batch gives a zero weight gradient.
            MemorySegment dw = filled(arena, g.weightSize(), Float.NaN);
            SIMD.conv2dBackwardWeights(p, g.withBatch(0), x, 0, y, 0, dw, 0);
            for (float v : dw.toArray(F)) assertEquals(0f, v);
        }
    }

    /** which: 0 forward, 1 backward-data, 2 backward-weights. */
    static void compare(ConvGeometry g, SplittableRandom rnd, Parallel par, int which) {
        try (Arena arena = Arena.ofShared()) {
            long xl = (long) g.n() * g.inputSize(), yl = (long) g.n() * g.outputSize(), wl = g.weightSize();
            MemorySegment x = random(arena, xl, rnd), w = random(arena, wl, rnd), dy = random(arena, yl, rnd);
            MemorySegment ax = abs(arena, x), aw = abs(arena, w), ady = abs(arena, dy);
            MemorySegment want, got, scale;
            int terms;
            switch (which) {
                case 0 -> {
                    want = floats(arena, yl); got = filled(arena, yl, Float.NaN); scale = floats(arena, yl);
                    SCALAR.conv2dForward(Parallel.serial(), g, x, 0, w, 0, want, 0);
                    SCALAR.conv2dForward(Parallel.serial(), g, ax, 0, aw, 0, scale, 0);
                    SIMD.conv2dForward(par, g, x, 0, w, 0, got, 0);
                    terms = g.patchSize();
                }
                case 1 -> {
                    want = floats(arena, xl); got = filled(arena, xl, Float.NaN); scale = floats(arena, xl);
                    SCALAR.conv2dBackwardData(Parallel.serial(), g, dy, 0, w, 0, want, 0);
                    SCALAR.conv2dBackwardData(Parallel.serial(), g, ady, 0, aw, 0, scale, 0);
                    SIMD.conv2dBackwardData(par, g, dy, 0, w, 0, got, 0);
                    terms = g.cOut() * g.k() * g.k();
                }
                default -> {
                    want = floats(arena, wl); got = filled(arena, wl, Float.NaN); scale = floats(arena, wl);
                    SCALAR.conv2dBackwardWeights(Parallel.serial(), g, x, 0, dy, 0, want, 0);
                    SCALAR.conv2dBackwardWeights(Parallel.serial(), g, ax, 0, ady, 0, scale, 0);
                    SIMD.conv2dBackwardWeights(par, g, x, 0, dy, 0, got, 0);
                    terms = g.n() * g.outH() * g.outW();
                }
            }
            long len = want.byteSize() / Float.BYTES;
            for (long i = 0; i < len; i++) {
                double tol = 2.0 * (terms + 2) * U * scale.getAtIndex(F, i) * (1 + 1e-3) + Float.MIN_NORMAL;
                float a = want.getAtIndex(F, i), b = got.getAtIndex(F, i);
                long ii = i;
                assertTrue(Math.abs(a - b) <= tol, () -> String.format("%s %s: element %d simd %s scalar %s (tol %.3g)",
                        new String[]{"forward", "backward-data", "backward-weights"}[which], g, ii, b, a, tol));
            }
        }
    }

    private static MemorySegment abs(Arena arena, MemorySegment s) {
        MemorySegment a = copy(arena, s);
        for (long i = 0; i < a.byteSize() / Float.BYTES; i++) a.setAtIndex(F, i, Math.abs(a.getAtIndex(F, i)));
        return a;
    }
}
