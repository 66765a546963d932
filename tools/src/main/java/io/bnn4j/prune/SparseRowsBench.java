package io.bnn4j.prune;

import io.bnn4j.kernel.Kernels;
import io.bnn4j.kernel.SparseRows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/**
 * Experiment (not a test, not run by the build): one inference product y = x·Wᵀ of an OUT × IN
 * weight with a random mask of the given density, the dense GEMM against sparse rows, for
 * 10 to 2,560 rows; best of 3 timed rounds. Sets {@code Model.SPARSE_MAX_DENSITY} and
 * {@code SPARSE_MAX_ROWS} (docs/PRUNING.md §2).
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp engine/target/classes:tools/target/classes \
 *     io.bnn4j.prune.SparseRowsBench 120 400 0.05
 * </pre>
 */
public final class SparseRowsBench {
    public static void main(String[] a) {
        Kernels k = Kernels.instance();
        int out = Integer.parseInt(a[0]), in = Integer.parseInt(a[1]);
        double density = Double.parseDouble(a[2]);
        Random r = new Random(1);
        try (Arena ar = Arena.ofConfined()) {
            MemorySegment w = ar.allocate((long) out * in * 4, 64), keep = ar.allocate((long) out * in * 4, 64);
            for (int i = 0; i < out * in; i++) { boolean kp = r.nextDouble() < density; keep.setAtIndex(ValueLayout.JAVA_FLOAT, i, kp ? 1f : 0f); w.setAtIndex(ValueLayout.JAVA_FLOAT, i, kp ? (float) r.nextGaussian() : 0f); }
            SparseRows s = SparseRows.of(out, in, w, 0, keep, 0);
            for (int rows : new int[]{10, 20, 40, 80, 160, 320, 2560}) {
                MemorySegment x = ar.allocate((long) rows * in * 4, 64), y = ar.allocate((long) rows * out * 4, 64);
                for (int i = 0; i < rows * in; i++) x.setAtIndex(ValueLayout.JAVA_FLOAT, i, r.nextFloat());
                double[] best = {1e9, 1e9};
                for (int round = 0; round < 5; round++) {
                    for (int v = 0; v < 2; v++) {
                        int reps = Math.max(20, 200000 / rows);
                        long t0 = System.nanoTime();
                        for (int i = 0; i < reps; i++) {
                            if (v == 0) k.gemm(null, false, true, rows, out, in, 1f, x, 0, in, w, 0, in, 0f, y, 0, out);
                            else k.sparseMatmulTransposed(rows, s, x, 0, in, y, 0, out);
                        }
                        double us = (System.nanoTime() - t0) / 1e3 / reps;
                        if (round >= 2) best[v] = Math.min(best[v], us);
                    }
                }
                System.out.printf("%dx%d density %.2f rows %4d: dense %.2f us, sparse %.2f us, sparse/dense %.2f%n", out, in, s.density(), rows, best[0], best[1], best[1] / best[0]);
            }
        }
    }
}
