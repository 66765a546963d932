package io.bnn4j.kernel;

import io.bnn4j.parallel.Parallel;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static io.bnn4j.kernel.KernelTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class SparseRowsTest {

    /** The dense product of the same matrix with its dropped entries zeroed: the oracle. */
    @Test
    void matchesTheDenseGemmOnAwkwardSizesAndDensities() {
        int[] sizes = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 61};
        SplittableRandom rnd = new SplittableRandom(3);
        for (int n : new int[]{1, 3, 10}) {
            for (int rows : sizes) {
                for (int cols : sizes) {
                    for (double density : new double[]{0, 0.05, 0.3, 1}) {
                        try (Arena a = Arena.ofConfined()) {
                            MemorySegment w = random(a, Math.max(1, (long) rows * cols), rnd);
                            MemorySegment keep = floats(a, Math.max(1, (long) rows * cols));
                            for (long i = 0; i < (long) rows * cols; i++) {
                                boolean kept = rnd.nextDouble() < density;
                                keep.setAtIndex(F, i, kept ? 1f : 0f);
                                if (!kept) w.setAtIndex(F, i, 0f);
                            }
                            SparseRows s = SparseRows.of(rows, cols, w, 0, keep, 0);
                            // ldx, ldy wider than the rows: strides are honoured
                            int ldx = cols + 3, ldy = rows + 2;
                            MemorySegment x = random(a, Math.max(1, (long) n * ldx), rnd);
                            MemorySegment want = filled(a, Math.max(1, (long) n * ldy), 7f), got = filled(a, Math.max(1, (long) n * ldy), 7f);
                            Kernels.scalar().gemm(Parallel.serial(), false, true, n, rows, cols, 1f, x, 0, ldx, w, 0, Math.max(1, cols), 0f, want, 0, ldy);
                            Kernels.instance().sparseMatmulTransposed(n, s, x, 0, ldx, got, 0, ldy);
                            // the same products summed in the same column order, zeros skipped: rounding of a
                            // sum of ≤ cols terms of |w·x| < 1 differs by at most cols·ulp(1)
                            for (long i = 0; i < (long) n * ldy; i++) {
                                float e = want.getAtIndex(F, i), g = got.getAtIndex(F, i);
                                assertEquals(e, g, 2 * cols * U + 1e-7, "n " + n + " " + rows + "x" + cols + " density " + density + " at " + i);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void patternAndSharedValues() {
        try (Arena a = Arena.ofConfined()) {
            // 2 x 3: [[1, 0, 2], [0, 0, 3]], keep the zero at (0, 1) explicitly
            MemorySegment w = a.allocateFrom(F, 1f, 0f, 2f, 0f, 0f, 3f), keep = a.allocateFrom(F, 1f, 1f, 1f, 0f, 0f, 1f);
            SparseRows s = SparseRows.of(2, 3, w, 0, keep, 0);
            assertEquals(4, s.nonzeros());
            assertEquals(4 / 6.0, s.density(), 1e-12);
            SparseRows sq = s.withValues(a.allocateFrom(F, 10f, 20f, 30f, 40f, 50f, 60f), 0);
            MemorySegment x = a.allocateFrom(F, 1f, 2f, 3f), y = floats(a, 2);
            Kernels.instance().sparseMatmulTransposed(1, sq, x, 0, 3, y, 0, 2);
            assertEquals(10 + 40 + 90, y.getAtIndex(F, 0));
            assertEquals(180, y.getAtIndex(F, 1), "only (1, 2) is kept: 60·3");
            assertThrows(IndexOutOfBoundsException.class, () -> Kernels.instance().sparseMatmulTransposed(2, s, x, 0, 3, y, 0, 2));
        }
    }
}
