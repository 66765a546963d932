package io.bnn4j.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A sparse (rows × cols) matrix in compressed sparse row form (CSR), immutable, on the heap:
 * row r's nonzeros are {@code values[rowStart[r] .. rowStart[r + 1])} at columns
 * {@code col[...]}, ascending. Several matrices may share one pattern ({@link #withValues}).
 *
 * <p>Its product {@link Kernels#sparseMatmulTransposed} y = x·Aᵀ visits only the kept entries:
 * for 10 × 400 inputs it measured faster than the dense SIMD GEMM below about 30% density and
 * slower above (docs/PRUNING.md).
 */
public final class SparseRows {

    final int rows, cols;
    final int[] rowStart, col;
    final float[] values;

    private SparseRows(int rows, int cols, int[] rowStart, int[] col, float[] values) {
        this.rows = rows;
        this.cols = cols;
        this.rowStart = rowStart;
        this.col = col;
        this.values = values;
    }

    /**
     * The entries of the row-major (rows, cols) matrix at (dense, off) where {@code keep} (same
     * layout, at keepOff) is nonzero; a zero value that is kept stays an explicit entry.
     */
    public static SparseRows of(int rows, int cols, MemorySegment dense, long off, MemorySegment keep, long keepOff) {
        if (rows < 0 || cols < 0) throw new IllegalArgumentException("negative size " + rows + " x " + cols);
        long n = (long) rows * cols;
        if (off < 0 || keepOff < 0 || (off + n) * Float.BYTES > dense.byteSize() || (keepOff + n) * Float.BYTES > keep.byteSize()) {
            throw new IndexOutOfBoundsException(rows + " x " + cols + " matrix outside its segment");
        }
        ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
        int nnz = 0;
        for (long i = 0; i < n; i++) if (keep.getAtIndex(F, keepOff + i) != 0f) nnz++;
        int[] start = new int[rows + 1], col = new int[nnz];
        float[] v = new float[nnz];
        int k = 0;
        for (int r = 0; r < rows; r++) {
            start[r] = k;
            for (int c = 0; c < cols; c++) {
                long i = (long) r * cols + c;
                if (keep.getAtIndex(F, keepOff + i) == 0f) continue;
                col[k] = c;
                v[k++] = dense.getAtIndex(F, off + i);
            }
        }
        start[rows] = k;
        return new SparseRows(rows, cols, start, col, v);
    }

    /** The same pattern with the values of another (rows, cols) matrix at (dense, off) (a second matrix with the same zeros). */
    public SparseRows withValues(MemorySegment dense, long off) {
        if (off < 0 || (off + (long) rows * cols) * Float.BYTES > dense.byteSize()) {
            throw new IndexOutOfBoundsException(rows + " x " + cols + " matrix outside its segment");
        }
        float[] v = new float[values.length];
        for (int r = 0; r < rows; r++) {
            for (int k = rowStart[r]; k < rowStart[r + 1]; k++) v[k] = dense.getAtIndex(ValueLayout.JAVA_FLOAT, off + (long) r * cols + col[k]);
        }
        return new SparseRows(rows, cols, rowStart, col, v);
    }

    public int rows() { return rows; }

    public int cols() { return cols; }

    /** Stored entries. */
    public int nonzeros() { return values.length; }

    /** nonzeros / (rows·cols) (0 for an empty matrix). */
    public double density() {
        return rows == 0 || cols == 0 ? 0 : (double) values.length / ((long) rows * cols);
    }

    /**
     * y (n, rows), row stride ldy = x (n, cols), row stride ldx, times Aᵀ: y[i, r] = Σ_k values[k]·x[i, col[k]]
     * over row r's entries. Scalar: the dense GEMM is its oracle in tests. Unchecked (see the facade).
     */
    void matmulTransposed(int n, MemorySegment x, long xOff, int ldx, MemorySegment y, long yOff, int ldy) {
        ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
        for (int i = 0; i < n; i++) {
            long xb = xOff + (long) i * ldx, yb = yOff + (long) i * ldy;
            for (int r = 0; r < rows; r++) {
                float s = 0;
                for (int k = rowStart[r], e = rowStart[r + 1]; k < e; k++) s += values[k] * x.getAtIndex(F, xb + col[k]);
                y.setAtIndex(F, yb + r, s);
            }
        }
    }
}
