package io.bnn4j.kernel.simd;

import io.bnn4j.kernel.ConvGeometry;
import io.bnn4j.kernel.Kernels;
import io.bnn4j.parallel.Parallel;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Each convolution kernel variant called directly (whatever the facade would pick on this
 * CPU) against the scalar twin: the row-tile forward in all four tile shapes (12, 10, 6 and 5
 * positions) and the lane-parallel weight gradient, on sizes around their edges: rows shorter
 * than, equal to and one past a tile, overlapping last chunks, cOut around 16 and 6, odd K
 * (a padded tap pair), outW below, at and past a vector, and batches that are not a multiple
 * of the image block. Thread counts must give identical bits.
 *
 * <p>Tolerance as in ConvKernelTest: each output is a float32 sum of N products summed in a
 * different order by each backend, so they differ by at most 2·(N + 2)·2⁻²⁴·Σ|products|,
 * Σ|products| from the scalar kernel on |x| and |w|.
 */
class ConvVariantsTest {

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final double U = Math.ulp(1.0f) / 2;
    private static final Kernels SCALAR = Kernels.scalar();

    /** (n, cIn, h, w, cOut, k, 1, pad): stride 1 only (both kernels need it). */
    private static final ConvGeometry[] GEOMETRIES = {
            new ConvGeometry(3, 1, 32, 32, 6, 5, 1, 0),     // LeNet conv1: outW 28
            new ConvGeometry(9, 6, 14, 14, 16, 5, 1, 0),    // LeNet conv2: outW 10, 9 images (two blocks)
            new ConvGeometry(2, 1, 3, 3, 1, 3, 1, 0),       // outW 1
            new ConvGeometry(2, 2, 7, 9, 7, 3, 1, 1),       // outW 9, cOut 7, K 18
            new ConvGeometry(2, 3, 8, 14, 17, 3, 1, 0),     // outW 12 (one wide tile exactly), cOut 17
            new ConvGeometry(1, 3, 9, 15, 15, 3, 1, 0),     // outW 13 (overlapping wide chunk), cOut 15
            new ConvGeometry(1, 2, 6, 11, 33, 5, 1, 2),     // outW 11, cOut 33 (three panels), pad
            new ConvGeometry(2, 1, 9, 10, 5, 3, 1, 0),      // outW 8 (one vector, no tail), cOut 5
            new ConvGeometry(1, 4, 7, 20, 12, 2, 1, 0),     // outW 19, K 16 (even), cOut 12
            new ConvGeometry(1, 1, 5, 21, 3, 1, 1, 0),      // k 1, outW 21
            new ConvGeometry(2, 3, 9, 24, 18, 5, 1, 0),     // outW 20: two 10-column tiles, 5×5 over 3 channels, cOut 18
    };

    @Test
    void rowTilesMatchScalarForEveryTileShape() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (ConvGeometry g : GEOMETRIES) {
            for (boolean wide : new boolean[]{false, true}) {
                Data d = new Data(g, rnd);
                float[] wh = d.w.toArray(F);
                check(g, "rows wide=" + wide, d, 0, got -> ConvRowTiles.forward(Parallel.serial(), g, d.x, 0, wh, got, 0, wide));
            }
        }
    }

    @Test
    void laneWeightsMatchScalar() {
        SplittableRandom rnd = new SplittableRandom(6);
        for (ConvGeometry g : GEOMETRIES) {
            Data d = new Data(g, rnd);
            check(g, "lane weights", d, 2, got -> ConvLaneWeights.backwardWeights(Parallel.serial(), g, d.x, 0, d.dy, 0, got, 0));
        }
    }

    @Test
    void threadCountsGiveIdenticalBits() {
        SplittableRandom rnd = new SplittableRandom(7);
        ConvGeometry g = new ConvGeometry(27, 2, 12, 13, 17, 3, 1, 1);
        Data d = new Data(g, rnd);
        float[] wh = d.w.toArray(F);
        try (Parallel p1 = new Parallel(1); Parallel p3 = new Parallel(3); Arena arena = Arena.ofShared()) {
            for (int variant = 0; variant < 3; variant++) {
                long len = variant == 2 ? g.weightSize() : (long) g.n() * g.outputSize();
                MemorySegment a = arena.allocate(len * 4), b = arena.allocate(len * 4);
                for (Parallel par : new Parallel[]{p1, p3}) {
                    MemorySegment out = par == p1 ? a : b;
                    switch (variant) {
                        case 0 -> ConvRowTiles.forward(par, g, d.x, 0, wh, out, 0, false);
                        case 1 -> ConvRowTiles.forward(par, g, d.x, 0, wh, out, 0, true);
                        default -> ConvLaneWeights.backwardWeights(par, g, d.x, 0, d.dy, 0, out, 0);
                    }
                }
                assertEquals(-1, a.mismatch(b), "variant " + variant);
            }
        }
    }

    @Test
    void laneWeightsKeepNonFiniteValuesOutsideTheWindowOut() {
        // outW 10: each row is one vector and a tail of 2 lanes (ox 10, 11) that read x columns
        // 10 + kx and 11 + kx. x's last column (11) is +Inf: only tap kx = 2 has it in a window
        // (ox 9), so only dw[., kx = 2] is infinite; a junk lane that kept it would make kx = 0
        // infinite too.
        ConvGeometry g = new ConvGeometry(1, 1, 6, 12, 2, 3, 1, 0);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment x = arena.allocate((long) g.inputSize() * 4), dy = arena.allocate((long) g.outputSize() * 4);
            for (long i = 0; i < g.inputSize(); i++) x.setAtIndex(F, i, i % 12 == 11 ? Float.POSITIVE_INFINITY : 1f);
            for (long i = 0; i < g.outputSize(); i++) dy.setAtIndex(F, i, 1f);
            MemorySegment dw = arena.allocate((long) g.weightSize() * 4);
            ConvLaneWeights.backwardWeights(Parallel.serial(), g, x, 0, dy, 0, dw, 0);
            for (int i = 0; i < g.weightSize(); i++) {
                float want = i % 3 == 2 ? Float.POSITIVE_INFINITY : 40f; // 4 rows × 10 columns of 1·1
                assertEquals(want, dw.getAtIndex(F, i), "dw element " + i);
            }
        }
    }

    private record Data(MemorySegment x, MemorySegment w, MemorySegment dy, MemorySegment ax, MemorySegment aw,
                        MemorySegment ady) {
        Data(ConvGeometry g, SplittableRandom rnd) {
            this(random(g.n() * (long) g.inputSize(), rnd), random(g.weightSize(), rnd),
                    random(g.n() * (long) g.outputSize(), rnd), null, null, null);
        }
    }

    private static MemorySegment random(long n, SplittableRandom rnd) {
        float[] a = new float[(int) n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextDouble() * 2 - 1);
        return Arena.ofAuto().allocate(n * 4).copyFrom(MemorySegment.ofArray(a));
    }

    private static MemorySegment abs(MemorySegment s) {
        float[] a = s.toArray(F);
        for (int i = 0; i < a.length; i++) a[i] = Math.abs(a[i]);
        return Arena.ofAuto().allocate(a.length * 4L).copyFrom(MemorySegment.ofArray(a));
    }

    /** which: 0 forward, 2 backward-weights. */
    private static void check(ConvGeometry g, String what, Data d, int which, java.util.function.Consumer<MemorySegment> run) {
        long len = which == 0 ? (long) g.n() * g.outputSize() : g.weightSize();
        MemorySegment want = Arena.ofAuto().allocate(len * 4), scale = Arena.ofAuto().allocate(len * 4);
        MemorySegment got = Arena.ofAuto().allocate(len * 4);
        float[] nan = new float[(int) len];
        Arrays.fill(nan, Float.NaN);
        got.copyFrom(MemorySegment.ofArray(nan));
        int terms;
        if (which == 0) {
            SCALAR.conv2dForward(Parallel.serial(), g, d.x, 0, d.w, 0, want, 0);
            SCALAR.conv2dForward(Parallel.serial(), g, abs(d.x), 0, abs(d.w), 0, scale, 0);
            terms = g.patchSize();
        } else {
            SCALAR.conv2dBackwardWeights(Parallel.serial(), g, d.x, 0, d.dy, 0, want, 0);
            SCALAR.conv2dBackwardWeights(Parallel.serial(), g, abs(d.x), 0, abs(d.dy), 0, scale, 0);
            terms = g.n() * g.outH() * g.outW();
        }
        run.accept(got);
        for (long i = 0; i < len; i++) {
            double tol = 2.0 * (terms + 2) * U * scale.getAtIndex(F, i) * (1 + 1e-3) + Float.MIN_NORMAL;
            float a = want.getAtIndex(F, i), b = got.getAtIndex(F, i);
            long ii = i;
            assertTrue(Math.abs(a - b) <= tol, () -> String.format("%s %s: element %d got %s scalar %s (tol %.3g)",
                    what, g, ii, b, a, tol));
        }
    }
}
