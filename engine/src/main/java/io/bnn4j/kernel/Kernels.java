package io.bnn4j.kernel;

import io.bnn4j.parallel.Parallel;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The facade every caller uses: checks arguments (sizes, ranges inside their segments), then
 * delegates to the backend chosen once at start-up.
 *
 * <p>The choice: system property {@code bnn4j.kernels} = {@code auto} (default: the Vector API
 * backend when {@code jdk.incubator.vector} is present, else scalar with one line on stderr),
 * {@code simd} (fail if unavailable) or {@code scalar}. {@link #instance()} is the chosen one;
 * {@link #scalar()} and {@link #simd()} give either explicitly, for tests and benchmarks.
 */
public final class Kernels implements KernelBackend {

    public static final String PROPERTY = "bnn4j.kernels";
    private static final String SIMD_CLASS = "io.bnn4j.kernel.simd.SimdKernels";

    private final KernelBackend impl;

    private Kernels(KernelBackend impl) {
        this.impl = impl;
    }

    /** Lazy holder: the backend is picked on first use, once. */
    private static final class Holder {
        static final Kernels INSTANCE = new Kernels(choose());
        static final Kernels SCALAR = new Kernels(new ScalarKernels());
    }

    private static KernelBackend choose() {
        String want = System.getProperty(PROPERTY, "auto").trim().toLowerCase(java.util.Locale.ROOT);
        switch (want) {
            case "scalar":
                return new ScalarKernels();
            case "simd": {
                KernelBackend simd = loadSimd();
                if (simd == null) throw new IllegalStateException(PROPERTY + "=simd but the Vector API backend is unavailable: " + simdFailure);
                return simd;
            }
            case "auto": {
                KernelBackend simd = loadSimd();
                if (simd != null) return simd;
                System.err.println("bnn4j: SIMD kernels unavailable (" + simdFailure + "); using scalar kernels, expect 10x slower");
                return new ScalarKernels();
            }
            default:
                throw new IllegalStateException("unknown " + PROPERTY + "=" + want + " (expected auto, simd or scalar)");
        }
    }

    private static volatile String simdFailure = "not tried";

    private static KernelBackend loadSimd() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            simdFailure = "module jdk.incubator.vector not added (run with --add-modules=jdk.incubator.vector)";
            return null;
        }
        try {
            Class<?> c = Class.forName(SIMD_CLASS);
            KernelBackend b = (KernelBackend) c.getConstructor().newInstance();
            return b;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            simdFailure = cause.getClass().getSimpleName() + ": " + cause.getMessage();
            return null;
        }
    }

    /** The backend chosen at start-up (see the class doc). */
    public static Kernels instance() {
        return Holder.INSTANCE;
    }

    /** The scalar reference backend, checked. */
    public static Kernels scalar() {
        return Holder.SCALAR;
    }

    /** The Vector API backend, checked; throws if unavailable. */
    public static Kernels simd() {
        KernelBackend b = loadSimd();
        if (b == null) throw new IllegalStateException("Vector API backend unavailable: " + simdFailure);
        return new Kernels(b);
    }

    /** Wraps any backend with the facade's checks. */
    public static Kernels of(KernelBackend backend) {
        return new Kernels(Objects.requireNonNull(backend));
    }

    /** The unchecked backend behind this facade. */
    public KernelBackend backend() {
        return impl;
    }

    public boolean isSimd() {
        return !(impl instanceof ScalarKernels);
    }

    @Override
    public String name() {
        return impl.name();
    }

    // ------------------------------------------------------------------ checks

    private static void range(String what, MemorySegment s, long off, long len, int elementBytes) {
        Objects.requireNonNull(s, what);
        if (off < 0 || len < 0 || (off + len) * elementBytes > s.byteSize()) {
            throw new IndexOutOfBoundsException(what + ": elements [" + off + ", " + (off + len) + ") outside a segment of "
                    + s.byteSize() / elementBytes);
        }
    }

    private static void floats(String what, MemorySegment s, long off, long len) {
        range(what, s, off, len, Float.BYTES);
    }

    /** Extent of a row-major matrix of rows × cols with row stride ld. */
    private static long extent(int rows, int cols, int ld) {
        if (rows == 0 || cols == 0) return 0;
        if (ld < cols) throw new IllegalArgumentException("leading dimension " + ld + " < columns " + cols);
        return (long) (rows - 1) * ld + cols;
    }

    private static void nonNegative(int... v) {
        for (int x : v) if (x < 0) throw new IllegalArgumentException("negative size " + x);
    }

    // ------------------------------------------------------------------ sparse (one implementation, scalar)

    /**
     * y (n, A.rows) = x (n, A.cols) · Aᵀ for a sparse A: only A's stored entries are visited.
     * One scalar implementation (no SIMD twin: the gather of x by column index does not
     * vectorize usefully at these sizes); tests compare it with the dense GEMM.
     */
    public void sparseMatmulTransposed(int n, SparseRows a, MemorySegment x, long xOff, int ldx, MemorySegment y, long yOff, int ldy) {
        nonNegative(n);
        Objects.requireNonNull(a, "A");
        floats("x", x, xOff, extent(n, a.cols, ldx));
        floats("y", y, yOff, extent(n, a.rows, ldy));
        a.matmulTransposed(n, x, xOff, ldx, y, yOff, ldy);
    }

    // ------------------------------------------------------------------ delegation

    @Override
    public void gemm(Parallel par, boolean transA, boolean transB, int m, int n, int k, float alpha,
                     MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                     float beta, MemorySegment c, long cOff, int ldc) {
        nonNegative(m, n, k);
        floats("A", a, aOff, transA ? extent(k, m, lda) : extent(m, k, lda));
        floats("B", b, bOff, transB ? extent(n, k, ldb) : extent(k, n, ldb));
        floats("C", c, cOff, extent(m, n, ldc));
        if (m == 0 || n == 0) return;
        impl.gemm(par, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public void conv2dForward(Parallel par, ConvGeometry g, MemorySegment x, long xOff, MemorySegment w, long wOff,
                              MemorySegment y, long yOff) {
        floats("x", x, xOff, (long) g.n() * g.inputSize());
        floats("w", w, wOff, g.weightSize());
        floats("y", y, yOff, (long) g.n() * g.outputSize());
        if (g.n() == 0) return;
        impl.conv2dForward(par, g, x, xOff, w, wOff, y, yOff);
    }

    @Override
    public void conv2dBackwardData(Parallel par, ConvGeometry g, MemorySegment dy, long dyOff, MemorySegment w, long wOff,
                                   MemorySegment dx, long dxOff) {
        floats("dy", dy, dyOff, (long) g.n() * g.outputSize());
        floats("w", w, wOff, g.weightSize());
        floats("dx", dx, dxOff, (long) g.n() * g.inputSize());
        if (g.n() == 0) return;
        impl.conv2dBackwardData(par, g, dy, dyOff, w, wOff, dx, dxOff);
    }

    @Override
    public void conv2dBackwardWeights(Parallel par, ConvGeometry g, MemorySegment x, long xOff, MemorySegment dy, long dyOff,
                                      MemorySegment dw, long dwOff) {
        floats("x", x, xOff, (long) g.n() * g.inputSize());
        floats("dy", dy, dyOff, (long) g.n() * g.outputSize());
        floats("dw", dw, dwOff, g.weightSize());
        if (g.n() == 0) {
            dw.asSlice(dwOff * Float.BYTES, (long) g.weightSize() * Float.BYTES).fill((byte) 0);
            return;
        }
        impl.conv2dBackwardWeights(par, g, x, xOff, dy, dyOff, dw, dwOff);
    }

    @Override
    public void maxPoolForward(PoolGeometry g, MemorySegment x, long xOff, MemorySegment y, long yOff,
                               MemorySegment argmax, long argOff) {
        floats("x", x, xOff, g.inputSize());
        floats("y", y, yOff, g.outputSize());
        range("argmax", argmax, argOff, g.outputSize(), Integer.BYTES);
        impl.maxPoolForward(g, x, xOff, y, yOff, argmax, argOff);
    }

    @Override
    public void maxPoolBackward(PoolGeometry g, MemorySegment dy, long dyOff, MemorySegment argmax, long argOff,
                                MemorySegment dx, long dxOff) {
        floats("dy", dy, dyOff, g.outputSize());
        range("argmax", argmax, argOff, g.outputSize(), Integer.BYTES);
        floats("dx", dx, dxOff, g.inputSize());
        impl.maxPoolBackward(g, dy, dyOff, argmax, argOff, dx, dxOff);
    }

    @Override
    public void addChannelBias(int n, int c, int spatial, MemorySegment y, long yOff, MemorySegment bias, long bOff) {
        nonNegative(n, c, spatial);
        floats("y", y, yOff, (long) n * c * spatial);
        floats("bias", bias, bOff, c);
        impl.addChannelBias(n, c, spatial, y, yOff, bias, bOff);
    }

    @Override
    public void channelBiasGrad(int n, int c, int spatial, MemorySegment dy, long dyOff, MemorySegment db, long dbOff) {
        nonNegative(n, c, spatial);
        floats("dy", dy, dyOff, (long) n * c * spatial);
        floats("db", db, dbOff, c);
        impl.channelBiasGrad(n, c, spatial, dy, dyOff, db, dbOff);
    }

    @Override
    public void unary(UnaryOp op, int len, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        nonNegative(len);
        floats("x", x, xOff, len);
        floats("y", y, yOff, len);
        impl.unary(op, len, x, xOff, y, yOff);
    }

    @Override
    public void activationBackward(UnaryOp op, int len, MemorySegment x, long xOff, MemorySegment dy, long dyOff,
                                   MemorySegment dx, long dxOff) {
        if (!op.isActivation()) throw new IllegalArgumentException(op + " is not an activation");
        nonNegative(len);
        floats("x", x, xOff, len);
        floats("dy", dy, dyOff, len);
        floats("dx", dx, dxOff, len);
        impl.activationBackward(op, len, x, xOff, dy, dyOff, dx, dxOff);
    }

    @Override
    public void axpy(int len, float alpha, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        nonNegative(len);
        floats("x", x, xOff, len);
        floats("y", y, yOff, len);
        impl.axpy(len, alpha, x, xOff, y, yOff);
    }

    @Override
    public void mul(int len, MemorySegment x, long xOff, MemorySegment y, long yOff, MemorySegment z, long zOff) {
        nonNegative(len);
        floats("x", x, xOff, len);
        floats("y", y, yOff, len);
        floats("z", z, zOff, len);
        impl.mul(len, x, xOff, y, yOff, z, zOff);
    }

    @Override
    public void scale(int len, float alpha, MemorySegment x, long xOff) {
        nonNegative(len);
        floats("x", x, xOff, len);
        impl.scale(len, alpha, x, xOff);
    }

    @Override
    public double sum(int len, MemorySegment x, long xOff) {
        nonNegative(len);
        floats("x", x, xOff, len);
        return impl.sum(len, x, xOff);
    }

    @Override
    public double sumOfSquares(int len, MemorySegment x, long xOff) {
        nonNegative(len);
        floats("x", x, xOff, len);
        return impl.sumOfSquares(len, x, xOff);
    }

    @Override
    public void softmaxRows(int rows, int cols, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        nonNegative(rows, cols);
        floats("x", x, xOff, (long) rows * cols);
        floats("y", y, yOff, (long) rows * cols);
        if (cols == 0) return;
        impl.softmaxRows(rows, cols, x, xOff, y, yOff);
    }

    @Override
    public void logSoftmaxRows(int rows, int cols, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        nonNegative(rows, cols);
        floats("x", x, xOff, (long) rows * cols);
        floats("y", y, yOff, (long) rows * cols);
        if (cols == 0) return;
        impl.logSoftmaxRows(rows, cols, x, xOff, y, yOff);
    }

    @Override
    public void lrtSample(int len, MemorySegment mu, long muOff, MemorySegment var, long varOff,
                          MemorySegment eps, long epsOff, MemorySegment y, long yOff) {
        nonNegative(len);
        floats("mu", mu, muOff, len);
        floats("var", var, varOff, len);
        floats("eps", eps, epsOff, len);
        floats("y", y, yOff, len);
        impl.lrtSample(len, mu, muOff, var, varOff, eps, epsOff, y, yOff);
    }

    @Override
    public void lrtSampleBias(int n, int c, int spatial, MemorySegment mu, long muOff, MemorySegment var, long varOff,
                              MemorySegment bMu, long bMuOff, MemorySegment bVar, long bVarOff, MemorySegment eps, long epsOff,
                              MemorySegment y, long yOff) {
        nonNegative(n, c, spatial);
        long len = (long) n * c * spatial;
        floats("mu", mu, muOff, len);
        floats("var", var, varOff, len);
        floats("bMu", bMu, bMuOff, c);
        floats("bVar", bVar, bVarOff, c);
        floats("eps", eps, epsOff, len);
        floats("y", y, yOff, len);
        impl.lrtSampleBias(n, c, spatial, mu, muOff, var, varOff, bMu, bMuOff, bVar, bVarOff, eps, epsOff, y, yOff);
    }

    @Override
    public void lrtBackward(int len, MemorySegment dy, long dyOff, MemorySegment var, long varOff,
                            MemorySegment eps, long epsOff, MemorySegment dVar, long dVarOff) {
        nonNegative(len);
        floats("dy", dy, dyOff, len);
        floats("var", var, varOff, len);
        floats("eps", eps, epsOff, len);
        floats("dVar", dVar, dVarOff, len);
        impl.lrtBackward(len, dy, dyOff, var, varOff, eps, epsOff, dVar, dVarOff);
    }

    @Override
    public void adamStep(int len, MemorySegment p, long pOff, MemorySegment g, long gOff, MemorySegment m, long mOff,
                         MemorySegment v, long vOff, float lr, float beta1, float beta2, float eps, float c1, float c2) {
        nonNegative(len);
        floats("p", p, pOff, len);
        floats("g", g, gOff, len);
        floats("m", m, mOff, len);
        floats("v", v, vOff, len);
        impl.adamStep(len, p, pOff, g, gOff, m, mOff, v, vOff, lr, beta1, beta2, eps, c1, c2);
    }

    @Override
    public void fillGaussian(Parallel par, long seed, long stream, long counter, int len, MemorySegment dst, long dstOff) {
        nonNegative(len);
        if (counter < 0) throw new IllegalArgumentException("negative counter " + counter);
        floats("dst", dst, dstOff, len);
        impl.fillGaussian(par, seed, stream, counter, len, dst, dstOff);
    }

    @Override
    public void fillRademacher(Parallel par, long seed, long stream, long counter, int len, MemorySegment dst, long dstOff) {
        nonNegative(len);
        if (counter < 0) throw new IllegalArgumentException("negative counter " + counter);
        floats("dst", dst, dstOff, len);
        impl.fillRademacher(par, seed, stream, counter, len, dst, dstOff);
    }
}
