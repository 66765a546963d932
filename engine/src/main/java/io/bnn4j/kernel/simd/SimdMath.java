package io.bnn4j.kernel.simd;

import io.bnn4j.kernel.ConvGeometry;
import io.bnn4j.kernel.PoolGeometry;
import io.bnn4j.kernel.ScalarKernels;
import io.bnn4j.kernel.UnaryOp;
import io.bnn4j.parallel.Parallel;

import java.lang.foreign.MemorySegment;

/** PLACEHOLDER: routes to the scalar reference until the Vector API version is written. */
final class SimdMath {

    private static final ScalarKernels SCALAR = new ScalarKernels();

    private SimdMath() {}

    static void addChannelBias(int n, int c, int spatial, MemorySegment y, long yOff, MemorySegment bias, long bOff) {
        SCALAR.addChannelBias(n, c, spatial, y, yOff, bias, bOff);
    }

    static void channelBiasGrad(int n, int c, int spatial, MemorySegment dy, long dyOff, MemorySegment db, long dbOff) {
        SCALAR.channelBiasGrad(n, c, spatial, dy, dyOff, db, dbOff);
    }

    static void unary(UnaryOp op, int len, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        SCALAR.unary(op, len, x, xOff, y, yOff);
    }

    static void activationBackward(UnaryOp op, int len, MemorySegment x, long xOff, MemorySegment dy, long dyOff, MemorySegment dx, long dxOff) {
        SCALAR.activationBackward(op, len, x, xOff, dy, dyOff, dx, dxOff);
    }

    static void axpy(int len, float alpha, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        SCALAR.axpy(len, alpha, x, xOff, y, yOff);
    }

    static void mul(int len, MemorySegment x, long xOff, MemorySegment y, long yOff, MemorySegment z, long zOff) {
        SCALAR.mul(len, x, xOff, y, yOff, z, zOff);
    }

    static void scale(int len, float alpha, MemorySegment x, long xOff) {
        SCALAR.scale(len, alpha, x, xOff);
    }

    static double sum(int len, MemorySegment x, long xOff) {
        return SCALAR.sum(len, x, xOff);
    }

    static double sumOfSquares(int len, MemorySegment x, long xOff) {
        return SCALAR.sumOfSquares(len, x, xOff);
    }

    static void softmaxRows(int rows, int cols, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        SCALAR.softmaxRows(rows, cols, x, xOff, y, yOff);
    }

    static void logSoftmaxRows(int rows, int cols, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        SCALAR.logSoftmaxRows(rows, cols, x, xOff, y, yOff);
    }

    static void lrtSample(int len, MemorySegment mu, long muOff, MemorySegment var, long varOff, MemorySegment eps, long epsOff, MemorySegment y, long yOff) {
        SCALAR.lrtSample(len, mu, muOff, var, varOff, eps, epsOff, y, yOff);
    }

    static void lrtBackward(int len, MemorySegment dy, long dyOff, MemorySegment var, long varOff, MemorySegment eps, long epsOff, MemorySegment dVar, long dVarOff) {
        SCALAR.lrtBackward(len, dy, dyOff, var, varOff, eps, epsOff, dVar, dVarOff);
    }

    static void adamStep(int len, MemorySegment p, long pOff, MemorySegment g, long gOff, MemorySegment m, long mOff, MemorySegment v, long vOff, float lr, float beta1, float beta2, float eps, float c1, float c2) {
        SCALAR.adamStep(len, p, pOff, g, gOff, m, mOff, v, vOff, lr, beta1, beta2, eps, c1, c2);
    }
}
