package io.bnn4j.kernel.simd;

import io.bnn4j.kernel.ConvGeometry;
import io.bnn4j.kernel.KernelBackend;
import io.bnn4j.kernel.PoolGeometry;
import io.bnn4j.kernel.UnaryOp;
import io.bnn4j.parallel.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * The Vector API backend. Each family of kernels lives in its own class: {@link SimdGemm},
 * {@link SimdConv}, {@link SimdPool} (GEMM, convolution, pooling), {@link SimdElementwise}
 * (elementwise maths, bias, LRT sampling, Adam) on {@link SimdPolynomials} (exp, log1p,
 * softplus, sigmoid), {@link SimdSoftmax} (rows) and {@link SimdRandom} (Gaussian fill). This class only
 * routes. Loading it fails (and {@code Kernels} falls back, saying so) when the preferred
 * species is narrower than 128 bits.
 */
public final class SimdKernels implements KernelBackend {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    public SimdKernels() {
        if (SPECIES.vectorBitSize() < 128) {
            throw new UnsupportedOperationException("preferred vector size " + SPECIES.vectorBitSize() + " bits is too small");
        }
    }

    @Override
    public String name() {
        return "simd-" + SPECIES.vectorBitSize();
    }

    @Override
    public void gemm(Parallel par, boolean transA, boolean transB, int m, int n, int k, float alpha,
                     MemorySegment a, long aOff, int lda, MemorySegment b, long bOff, int ldb,
                     float beta, MemorySegment c, long cOff, int ldc) {
        SimdGemm.gemm(par, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public void conv2dForward(Parallel par, ConvGeometry g, MemorySegment x, long xOff, MemorySegment w, long wOff,
                              MemorySegment y, long yOff) {
        SimdConv.forward(par, g, x, xOff, w, wOff, y, yOff);
    }

    @Override
    public void conv2dBackwardData(Parallel par, ConvGeometry g, MemorySegment dy, long dyOff, MemorySegment w, long wOff,
                                   MemorySegment dx, long dxOff) {
        SimdConv.backwardData(par, g, dy, dyOff, w, wOff, dx, dxOff);
    }

    @Override
    public void conv2dBackwardWeights(Parallel par, ConvGeometry g, MemorySegment x, long xOff, MemorySegment dy, long dyOff,
                                      MemorySegment dw, long dwOff) {
        SimdConv.backwardWeights(par, g, x, xOff, dy, dyOff, dw, dwOff);
    }

    @Override
    public void maxPoolForward(PoolGeometry g, MemorySegment x, long xOff, MemorySegment y, long yOff,
                               MemorySegment argmax, long argOff) {
        SimdPool.forward(g, x, xOff, y, yOff, argmax, argOff);
    }

    @Override
    public void maxPoolBackward(PoolGeometry g, MemorySegment dy, long dyOff, MemorySegment argmax, long argOff,
                                MemorySegment dx, long dxOff) {
        SimdPool.backward(g, dy, dyOff, argmax, argOff, dx, dxOff);
    }

    @Override
    public void addChannelBias(int n, int c, int spatial, MemorySegment y, long yOff, MemorySegment bias, long bOff) {
        SimdElementwise.addChannelBias(n, c, spatial, y, yOff, bias, bOff);
    }

    @Override
    public void channelBiasGrad(int n, int c, int spatial, MemorySegment dy, long dyOff, MemorySegment db, long dbOff) {
        SimdElementwise.channelBiasGrad(n, c, spatial, dy, dyOff, db, dbOff);
    }

    @Override
    public void unary(UnaryOp op, int len, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        SimdElementwise.unary(op, len, x, xOff, y, yOff);
    }

    @Override
    public void activationBackward(UnaryOp op, int len, MemorySegment x, long xOff, MemorySegment dy, long dyOff,
                                   MemorySegment dx, long dxOff) {
        SimdElementwise.activationBackward(op, len, x, xOff, dy, dyOff, dx, dxOff);
    }

    @Override
    public void axpy(int len, float alpha, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        SimdElementwise.axpy(len, alpha, x, xOff, y, yOff);
    }

    @Override
    public void mul(int len, MemorySegment x, long xOff, MemorySegment y, long yOff, MemorySegment z, long zOff) {
        SimdElementwise.mul(len, x, xOff, y, yOff, z, zOff);
    }

    @Override
    public void scale(int len, float alpha, MemorySegment x, long xOff) {
        SimdElementwise.scale(len, alpha, x, xOff);
    }

    @Override
    public double sum(int len, MemorySegment x, long xOff) {
        return SimdElementwise.sum(len, x, xOff);
    }

    @Override
    public double sumOfSquares(int len, MemorySegment x, long xOff) {
        return SimdElementwise.sumOfSquares(len, x, xOff);
    }

    @Override
    public void softmaxRows(int rows, int cols, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        SimdSoftmax.softmaxRows(rows, cols, x, xOff, y, yOff);
    }

    @Override
    public void logSoftmaxRows(int rows, int cols, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        SimdSoftmax.logSoftmaxRows(rows, cols, x, xOff, y, yOff);
    }

    @Override
    public void lrtSample(int len, MemorySegment mu, long muOff, MemorySegment var, long varOff, MemorySegment eps, long epsOff,
                          MemorySegment y, long yOff) {
        SimdElementwise.lrtSample(len, mu, muOff, var, varOff, eps, epsOff, y, yOff);
    }

    @Override
    public void lrtSampleBias(int n, int c, int spatial, MemorySegment mu, long muOff, MemorySegment var, long varOff,
                              MemorySegment bMu, long bMuOff, MemorySegment bVar, long bVarOff, MemorySegment eps, long epsOff,
                              MemorySegment y, long yOff) {
        SimdElementwise.lrtSampleBias(n, c, spatial, mu, muOff, var, varOff, bMu, bMuOff, bVar, bVarOff, eps, epsOff, y, yOff);
    }

    @Override
    public void lrtBackward(int len, MemorySegment dy, long dyOff, MemorySegment var, long varOff, MemorySegment eps, long epsOff,
                            MemorySegment dVar, long dVarOff) {
        SimdElementwise.lrtBackward(len, dy, dyOff, var, varOff, eps, epsOff, dVar, dVarOff);
    }

    @Override
    public void adamStep(int len, MemorySegment p, long pOff, MemorySegment g, long gOff, MemorySegment m, long mOff,
                         MemorySegment v, long vOff, float lr, float beta1, float beta2, float eps, float c1, float c2) {
        SimdElementwise.adamStep(len, p, pOff, g, gOff, m, mOff, v, vOff, lr, beta1, beta2, eps, c1, c2);
    }

    @Override
    public void fillGaussian(Parallel par, long seed, long stream, long counter, int len, MemorySegment dst, long dstOff) {
        SimdRandom.fillGaussian(par, seed, stream, counter, len, dst, dstOff);
    }

    @Override
    public void fillRademacher(Parallel par, long seed, long stream, long counter, int len, MemorySegment dst, long dstOff) {
        SimdRandom.fillRademacher(par, seed, stream, counter, len, dst, dstOff);
    }
}
