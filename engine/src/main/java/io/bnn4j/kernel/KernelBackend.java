package io.bnn4j.kernel;

import io.bnn4j.parallel.Parallel;

import java.lang.foreign.MemorySegment;

/**
 * The numerical kernels, implemented twice: {@link ScalarKernels} (plain loops: the reference,
 * the fallback and the benchmark baseline) and {@code kernel.simd.SimdKernels} (the Vector API).
 * {@link Kernels} picks one at start-up; callers go through the facade, which checks arguments.
 *
 * <p>Conventions: every array is a (segment, offset) pair, offsets counted in floats (ints for
 * index arrays); matrices are row-major with a leading dimension (row stride) in floats.
 * Unless stated, outputs are overwritten, and an output may alias its input only where stated.
 * Kernels that take a {@link Parallel} may use its threads; the others run on the caller.
 * Results of kernels that take a Parallel must not depend on its thread count.
 */
public interface KernelBackend {

    /** A short name for logs and benchmarks ("scalar", "simd-256"). */
    String name();

    // ------------------------------------------------------------------ GEMM

    /**
     * C = alpha·op(A)·op(B) + beta·C, with C (m × n), op(A) (m × k), op(B) (k × n).
     * op(A) = A if !transA (A stored m × k, row stride lda) else Aᵀ (A stored k × m).
     * op(B) = B if !transB (B stored k × n, row stride ldb) else Bᵀ (B stored n × k).
     * beta == 0 overwrites C without reading it (NaN in C does not propagate).
     */
    void gemm(Parallel par, boolean transA, boolean transB, int m, int n, int k,
              float alpha, MemorySegment a, long aOff, int lda,
              MemorySegment b, long bOff, int ldb,
              float beta, MemorySegment c, long cOff, int ldc);

    // ------------------------------------------------------------------ convolution (no bias)

    /** y = conv(x, w). x: (n, cIn, h, w); w: (cOut, cIn, k, k); y: (n, cOut, outH, outW). */
    void conv2dForward(Parallel par, ConvGeometry g, MemorySegment x, long xOff,
                       MemorySegment w, long wOff, MemorySegment y, long yOff);

    /** dx = convᵀ(dy, w): the gradient of conv2dForward with respect to x. Shapes as above. */
    void conv2dBackwardData(Parallel par, ConvGeometry g, MemorySegment dy, long dyOff,
                            MemorySegment w, long wOff, MemorySegment dx, long dxOff);

    /** dw = Σ_batch corr(x, dy): the gradient of conv2dForward with respect to w. */
    void conv2dBackwardWeights(Parallel par, ConvGeometry g, MemorySegment x, long xOff,
                               MemorySegment dy, long dyOff, MemorySegment dw, long dwOff);

    // ------------------------------------------------------------------ pooling

    /**
     * y = max over each window; argmax[i] = flat index within the plane (row·w + col) of the
     * first maximum, for the backward pass. Ties go to the first in row-major order.
     */
    void maxPoolForward(PoolGeometry g, MemorySegment x, long xOff, MemorySegment y, long yOff,
                        MemorySegment argmax, long argOff);

    /** dx = 0, then dx[argmax] += dy per window. */
    void maxPoolBackward(PoolGeometry g, MemorySegment dy, long dyOff, MemorySegment argmax, long argOff,
                         MemorySegment dx, long dxOff);

    // ------------------------------------------------------------------ bias over channels

    /** y[i, c, s] += bias[c] for y: (n, c, spatial). A dense layer is spatial = 1. */
    void addChannelBias(int n, int c, int spatial, MemorySegment y, long yOff, MemorySegment bias, long bOff);

    /** db[c] = Σ_{i, s} dy[i, c, s] (overwrites db). */
    void channelBiasGrad(int n, int c, int spatial, MemorySegment dy, long dyOff, MemorySegment db, long dbOff);

    // ------------------------------------------------------------------ elementwise (y may alias x)

    void unary(UnaryOp op, int len, MemorySegment x, long xOff, MemorySegment y, long yOff);

    /** dx = dy · f'(x) for f = relu, softplus (f' = sigmoid), sigmoid. dx may alias dy. */
    void activationBackward(UnaryOp op, int len, MemorySegment x, long xOff, MemorySegment dy, long dyOff,
                            MemorySegment dx, long dxOff);

    /** y = alpha·x + y. */
    void axpy(int len, float alpha, MemorySegment x, long xOff, MemorySegment y, long yOff);

    /** z = x ⊙ y (z may alias either). */
    void mul(int len, MemorySegment x, long xOff, MemorySegment y, long yOff, MemorySegment z, long zOff);

    /** x = alpha·x. */
    void scale(int len, float alpha, MemorySegment x, long xOff);

    /** Σ x, accumulated in double. */
    double sum(int len, MemorySegment x, long xOff);

    /** Σ x², accumulated in double. */
    double sumOfSquares(int len, MemorySegment x, long xOff);

    // ------------------------------------------------------------------ rows

    /** Row-wise softmax, numerically stable (max subtracted). x, y: (rows, cols); y may alias x. */
    void softmaxRows(int rows, int cols, MemorySegment x, long xOff, MemorySegment y, long yOff);

    /** Row-wise log-softmax, numerically stable. y may alias x. */
    void logSoftmaxRows(int rows, int cols, MemorySegment x, long xOff, MemorySegment y, long yOff);

    // ------------------------------------------------------------------ local reparameterization

    /** y = mu + sqrt(var) ⊙ eps. var must be > 0 (callers add 1e-16). y may alias mu. */
    void lrtSample(int len, MemorySegment mu, long muOff, MemorySegment var, long varOff,
                   MemorySegment eps, long epsOff, MemorySegment y, long yOff);

    /**
     * lrtSample with the channel biases folded in, one pass instead of three. mu, var, eps, y:
     * (n, c, spatial); bMu, bVar: (c). For channel ch: var ← var + bVar[ch] (written back: the
     * backward reads it), y = (mu + bMu[ch]) + sqrt(var) ⊙ eps. The same roundings as
     * addChannelBias on mu and var followed by lrtSample. y may alias mu.
     */
    void lrtSampleBias(int n, int c, int spatial, MemorySegment mu, long muOff, MemorySegment var, long varOff,
                       MemorySegment bMu, long bMuOff, MemorySegment bVar, long bVarOff, MemorySegment eps, long epsOff,
                       MemorySegment y, long yOff);

    /** dVar = dy ⊙ eps / (2·sqrt(var)), the backward of lrtSample with respect to var (dmu = dy). */
    void lrtBackward(int len, MemorySegment dy, long dyOff, MemorySegment var, long varOff,
                     MemorySegment eps, long epsOff, MemorySegment dVar, long dVarOff);

    // ------------------------------------------------------------------ optimizer

    /**
     * One Adam step on len parameters: m = b1·m + (1−b1)·g; v = b2·v + (1−b2)·g²;
     * p −= lr·(m / c1) / (sqrt(v / c2) + eps), with c1 = 1 − b1^t and c2 = 1 − b2^t given.
     */
    void adamStep(int len, MemorySegment p, long pOff, MemorySegment g, long gOff,
                  MemorySegment m, long mOff, MemorySegment v, long vOff,
                  float lr, float beta1, float beta2, float eps, float c1, float c2);

    // ------------------------------------------------------------------ random numbers

    /**
     * dst[j] = the standard normal number j + counter of stream (seed, stream): a pure
     * function of (seed, stream, counter + j), the same for both backends up to float rounding
     * and for any thread count. See {@code io.bnn4j.random.Philox}.
     */
    void fillGaussian(Parallel par, long seed, long stream, long counter, int len, MemorySegment dst, long dstOff);

    /** dst[j] = ±1 with probability ½ each, a pure function of (seed, stream, counter + j). */
    void fillRademacher(Parallel par, long seed, long stream, long counter, int len, MemorySegment dst, long dstOff);
}
