package io.bnn4j.kernel;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static io.bnn4j.kernel.KernelTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The Vector API max pooling against the scalar twin. A maximum involves no rounding and the
 * backward pass adds each gradient to zero in the same order, so both must agree bit for bit:
 * values, argmax (first maximum wins on ties, a NaN never replaces a number) and dx.
 */
class PoolKernelTest {

    private static final Kernels SIMD = Kernels.simd();
    private static final Kernels SCALAR = Kernels.scalar();

    private static final int[] SIDES = {2, 3, 4, 5, 7, 8, 9, 14, 15, 16, 17, 28, 31, 33};
    private static final int[][] WINDOWS = {{2, 2}, {3, 2}, {2, 1}, {3, 3}, {1, 1}, {3, 1}};

    @Test
    void matchesScalarExactlyIncludingTiesAndNaN() {
        SplittableRandom rnd = new SplittableRandom(21);
        for (int[] ks : WINDOWS) {
            for (int h : SIDES) {
                for (int w : SIDES) {
                    if (ks[0] > h || ks[0] > w) continue;
                    int planes = 1 + rnd.nextInt(3);
                    compare(new PoolGeometry(planes, h, w, ks[0], ks[1]), rnd, rnd.nextBoolean());
                }
            }
        }
    }

    @Test
    void lenetAnd3conv3fcShapes() {
        SplittableRandom rnd = new SplittableRandom(22);
        compare(new PoolGeometry(4 * 6, 28, 28, 2, 2), rnd, false);
        compare(new PoolGeometry(4 * 16, 10, 10, 2, 2), rnd, true);
        compare(new PoolGeometry(2 * 32, 32, 32, 3, 2), rnd, false);
        compare(new PoolGeometry(2 * 64, 15, 15, 3, 2), rnd, true);
    }

    @Test
    void knownAnswer() {
        // One 4×4 plane, 2/2: rows [1 5 2 2] [5 3 2 2] [0 -1 9 8] [-2 -3 7 9]. Windows: {1,5,5,3} → 5 at
        // index 1 (first of the tie), {2,2,2,2} → 2 at 2, {0,-1,-2,-3} → 0 at 8, {9,8,7,9} → 9 at 10.
        try (Arena arena = Arena.ofShared()) {
            MemorySegment x = arena.allocateFrom(F, 1, 5, 2, 2, 5, 3, 2, 2, 0, -1, 9, 8, -2, -3, 7, 9);
            MemorySegment y = floats(arena, 4), arg = arena.allocate(16, 4);
            SIMD.maxPoolForward(new PoolGeometry(1, 4, 4, 2, 2), x, 0, y, 0, arg, 0);
            assertArrayEquals(new float[]{5, 2, 0, 9}, y.toArray(F));
            assertArrayEquals(new int[]{1, 2, 8, 10}, arg.toArray(I));
        }
    }

    @Test
    void facadeContract() {
        PoolGeometry g = new PoolGeometry(2, 4, 4, 2, 2);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment x = floats(arena, 32), y = floats(arena, 8), arg = arena.allocate(32, 4);
            assertThrows(IndexOutOfBoundsException.class, () -> SIMD.maxPoolForward(g, x, 1, y, 0, arg, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> SIMD.maxPoolForward(g, x, 0, y, 1, arg, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> SIMD.maxPoolBackward(g, y, 0, arg, 1, x, 0));
            assertThrows(IllegalArgumentException.class, () -> new PoolGeometry(1, 2, 2, 3, 2));
        }
    }

    static void compare(PoolGeometry g, SplittableRandom rnd, boolean ties) {
        try (Arena arena = Arena.ofShared()) {
            long in = g.inputSize(), out = g.outputSize();
            MemorySegment x = floats(arena, in);
            for (long i = 0; i < in; i++) {
                float v = ties ? rnd.nextInt(3) : (float) rnd.nextGaussian();
                if (rnd.nextInt(50) == 0) v = Float.NaN;
                if (rnd.nextInt(50) == 0) v = Float.NEGATIVE_INFINITY;
                x.setAtIndex(F, i, v);
            }
            MemorySegment ys = floats(arena, out), yv = floats(arena, out);
            MemorySegment as = arena.allocate(Math.max(1, out) * 4, 4), av = arena.allocate(Math.max(1, out) * 4, 4);
            SCALAR.maxPoolForward(g, x, 0, ys, 0, as, 0);
            SIMD.maxPoolForward(g, x, 0, yv, 0, av, 0);
            assertTrue(sameBits(ys, yv), g + ": pooled values differ");
            assertTrue(sameBits(as, av), g + ": argmax differs");
            MemorySegment dy = random(arena, out, rnd);
            MemorySegment dxs = filled(arena, in, Float.NaN), dxv = filled(arena, in, Float.NaN);
            SCALAR.maxPoolBackward(g, dy, 0, as, 0, dxs, 0);
            SIMD.maxPoolBackward(g, dy, 0, as, 0, dxv, 0);
            assertTrue(sameBits(dxs, dxv), g + ": dx differs");
        }
    }
}
