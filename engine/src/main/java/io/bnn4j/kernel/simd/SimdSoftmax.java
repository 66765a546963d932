package io.bnn4j.kernel.simd;

import io.bnn4j.kernel.UnaryOp;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static io.bnn4j.kernel.simd.SimdLanes.*;
import static io.bnn4j.kernel.simd.SimdPolynomials.*;

/**
 * Softmax and log-softmax over the rows of a matrix: rows of up to {@link #TRANSPOSED_MAX_COLS}
 * columns go L rows at a time, transposed; longer rows use vectors and a masked tail. Long-row
 * sums reduce their double lanes in a fixed order, so results repeat in every JIT tier.
 */
final class SimdSoftmax {

    private SimdSoftmax() {}

    /** max over row [row, row + cols): vectors, then a masked tail. */
    private static float rowMax(MemorySegment x, long row, int cols) {
        FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int bound = S.loopBound(cols), j = 0;
        for (; j < bound; j += L) m = m.max(load(x, row + j));
        if (j < cols) {
            VectorMask<Float> tail = S.indexInRange(j, cols);
            m = m.max(FloatVector.broadcast(S, Float.NEGATIVE_INFINITY).blend(load(x, row + j, tail), tail));
        }
        return m.reduceLanes(VectorOperators.MAX);
    }

    /**
     * Σ exp(x − max) over the row; when {@code y} is not null also writes the exponentials there.
     * Partial sums are float vectors reduced to double every BLOCK floats (error ≲ γ₁₆ relative).
     */
    private static double rowExpSum(MemorySegment x, long row, int cols, float max, MemorySegment y, long yRow) {
        double total = 0;
        FloatVector acc = FloatVector.zero(S);
        int bound = S.loopBound(cols), j = 0;
        for (; j < bound; j += L) {
            FloatVector e = exp(load(x, row + j).sub(max));
            if (y != null) store(e, y, yRow + j);
            acc = acc.add(e);
            if ((j + L) % BLOCK == 0) {
                total += widenedSum(acc);
                acc = FloatVector.zero(S);
            }
        }
        if (j < cols) {
            VectorMask<Float> tail = S.indexInRange(j, cols);
            // Masked-off lanes load 0 and would give exp(0 − max): zero them after the exp.
            FloatVector e = exp(load(x, row + j, tail).sub(max));
            e = FloatVector.zero(S).blend(e, tail);
            if (y != null) store(e, y, yRow + j, tail);
            acc = acc.add(e);
        }
        return total + widenedSum(acc);
    }

    /** Rows up to this many columns go L at a time, transposed (see {@link #rowsTransposed}). */
    static final int TRANSPOSED_MAX_COLS = 4 * L;

    // x, y: (rows, cols); y may alias x (each row is read fully before it is written)
    static void softmaxRows(int rows, int cols, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        if (cols <= TRANSPOSED_MAX_COLS) {
            rowsTransposed(false, rows, cols, x, xOff, y, yOff);
            return;
        }
        int bound = S.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            long xr = xOff + (long) r * cols, yr = yOff + (long) r * cols;
            float max = rowMax(x, xr, cols);
            float inv = (float) (1.0 / rowExpSum(x, xr, cols, max, y, yr));
            int j = 0;
            for (; j < bound; j += L) store(load(y, yr + j).mul(inv), y, yr + j);
            if (j < cols) {
                VectorMask<Float> tail = S.indexInRange(j, cols);
                store(load(y, yr + j, tail).mul(inv), y, yr + j, tail);
            }
        }
    }

    static void logSoftmaxRows(int rows, int cols, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        if (cols <= TRANSPOSED_MAX_COLS) {
            rowsTransposed(true, rows, cols, x, xOff, y, yOff);
            return;
        }
        int bound = S.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            long xr = xOff + (long) r * cols, yr = yOff + (long) r * cols;
            float max = rowMax(x, xr, cols);
            float logZ = max + (float) Math.log(rowExpSum(x, xr, cols, max, null, 0));
            int j = 0;
            for (; j < bound; j += L) store(load(x, xr + j).sub(logZ), y, yr + j);
            if (j < cols) {
                VectorMask<Float> tail = S.indexInRange(j, cols);
                store(load(x, xr + j, tail).sub(logZ), y, yr + j, tail);
            }
        }
    }

    /** Per thread: L rows of up to TRANSPOSED_MAX_COLS floats, and their exponentials (softmax). */
    private static final class RowScratch {
        final float[] buf = new float[L * TRANSPOSED_MAX_COLS], exps = new float[L * TRANSPOSED_MAX_COLS];
    }

    private static final ThreadLocal<RowScratch> ROW_SCRATCH = ThreadLocal.withInitial(RowScratch::new);
    /** COLUMN[cols][t] = t·cols: lane t of a gathered column reads row t of the block. */
    private static final int[][] COLUMN = new int[TRANSPOSED_MAX_COLS + 1][];
    /** EXPAND[cols][i]: lane l of output vector i belongs to row (i·L + l) / cols. Made once, not per call. */
    @SuppressWarnings("unchecked")
    private static final VectorShuffle<Float>[][] EXPAND = new VectorShuffle[TRANSPOSED_MAX_COLS + 1][];

    static {
        for (int cols = 1; cols <= TRANSPOSED_MAX_COLS; cols++) {
            int c = cols;
            COLUMN[cols] = new int[L];
            for (int t = 0; t < L; t++) COLUMN[cols][t] = t * cols;
            EXPAND[cols] = (VectorShuffle<Float>[]) new VectorShuffle[cols];
            for (int i = 0; i < cols; i++) {
                int first = i * L;
                EXPAND[cols][i] = VectorShuffle.fromOp(S, l -> (first + l) / c);
            }
        }
    }

    /**
     * Softmax (log = false) or log-softmax of short rows, L rows at a time. A row of 10 is less
     * than one vector, so row by row every row costs two horizontal reductions (max, sum) and a
     * scalar log or division. Here the L·cols floats of L rows are copied to a heap buffer and
     * column j of the L rows is gathered as one vector (lane t = row t): the max, the sum of
     * exponentials, the log or the reciprocal are lanewise, summed in column order (so the same
     * bits in every JIT tier, unlike a reduceLanes whose order C2 may choose). Softmax keeps the
     * L·cols exponentials transposed, scales them by 1/Σ and scatters them back into the buffer
     * in memory order, copied out in one piece. Log-softmax writes x − log Z straight in memory
     * order: the L·cols floats are exactly cols vectors, and vector i needs, in lane l, log Z of
     * row (i·L + l) / cols: a fixed permutation ({@code rearrange}, one instruction) of the
     * per-row vector. The last partial block leaves stale values in the buffer's unused rows
     * (lanes computed, never stored).
     */
    private static void rowsTransposed(boolean log, int rows, int cols, MemorySegment x, long xOff,
                                       MemorySegment y, long yOff) {
        if (rows == 0) return;
        RowScratch sc = ROW_SCRATCH.get();
        float[] buf = sc.buf, exps = sc.exps;
        int[] column = COLUMN[cols];                                // lane t reads row t
        VectorShuffle<Float>[] expand = EXPAND[cols];               // vector i, lane l: row (i·L + l) / cols
        for (int r0 = 0; r0 < rows; r0 += L) {
            int count = Math.min(L, rows - r0) * cols;              // floats of this block
            long xb = xOff + (long) r0 * cols, yb = yOff + (long) r0 * cols;
            MemorySegment.copy(x, F, xb * Float.BYTES, buf, 0, count);
            FloatVector max = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int j = 0; j < cols; j++) max = max.max(FloatVector.fromArray(S, buf, j, column, 0));
            FloatVector sum = FloatVector.zero(S);
            if (!log) {
                // softmax: e^(x − max) once, kept transposed, then scaled and scattered back
                for (int j = 0; j < cols; j++) {
                    FloatVector e = exp(FloatVector.fromArray(S, buf, j, column, 0).sub(max));
                    e.intoArray(exps, j * L);
                    sum = sum.add(e);
                }
                FloatVector inv = FloatVector.broadcast(S, 1f).div(sum);
                for (int j = 0; j < cols; j++) FloatVector.fromArray(S, exps, j * L).mul(inv).intoArray(buf, j, column, 0);
                MemorySegment.copy(buf, 0, y, F, yb * Float.BYTES, count);
                continue;
            }
            for (int j = 0; j < cols; j++) sum = sum.add(exp(FloatVector.fromArray(S, buf, j, column, 0).sub(max)));
            // per row: log Z = max + ln Σ (Σ ≥ 1, normal)
            FloatVector perRow = max.add(logPositive(sum));
            for (int i = 0, e0 = 0; e0 < count; i++, e0 += L) {
                VectorShuffle<Float> rowOfLane = expand[i];
                FloatVector v;
                if (e0 + L <= count) v = FloatVector.fromArray(S, buf, e0);
                else v = FloatVector.fromArray(S, buf, e0, S.indexInRange(e0, count));
                FloatVector out = v.sub(perRow.rearrange(rowOfLane));
                if (e0 + L <= count) store(out, y, yb + e0);
                else store(out, y, yb + e0, S.indexInRange(e0, count));
            }
        }
    }
}
