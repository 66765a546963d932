package io.bnn4j.kernel;

import io.bnn4j.parallel.Parallel;
import io.bnn4j.random.Philox;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Plain loops, one element at a time: the algorithmic reference every fast kernel is tested
 * against, the fallback when the Vector API is unavailable, and the JMH baseline. Written for
 * obviousness, not speed; single-threaded (the {@link Parallel} arguments are ignored).
 */
public final class ScalarKernels implements KernelBackend {

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;

    @Override
    public String name() {
        return "scalar";
    }

    private static float get(MemorySegment s, long i) {
        return s.getAtIndex(F, i);
    }

    private static void set(MemorySegment s, long i, float v) {
        s.setAtIndex(F, i, v);
    }

    // ------------------------------------------------------------------ GEMM

    @Override
    public void gemm(Parallel par, boolean transA, boolean transB, int m, int n, int k,
                     float alpha, MemorySegment a, long aOff, int lda,
                     MemorySegment b, long bOff, int ldb,
                     float beta, MemorySegment c, long cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? get(a, aOff + (long) p * lda + i) : get(a, aOff + (long) i * lda + p);
                    float bv = transB ? get(b, bOff + (long) j * ldb + p) : get(b, bOff + (long) p * ldb + j);
                    acc += av * bv;
                }
                long ci = cOff + (long) i * ldc + j;
                set(c, ci, beta == 0f ? alpha * acc : alpha * acc + beta * get(c, ci));
            }
        }
    }

    // ------------------------------------------------------------------ convolution, direct loops

    @Override
    public void conv2dForward(Parallel par, ConvGeometry g, MemorySegment x, long xOff,
                              MemorySegment w, long wOff, MemorySegment y, long yOff) {
        int oh = g.outH(), ow = g.outW(), k = g.k();
        for (int n = 0; n < g.n(); n++) {
            for (int co = 0; co < g.cOut(); co++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        float acc = 0f;
                        for (int ci = 0; ci < g.cIn(); ci++) {
                            for (int ky = 0; ky < k; ky++) {
                                int iy = oy * g.stride() - g.pad() + ky;
                                if (iy < 0 || iy >= g.h()) continue;
                                for (int kx = 0; kx < k; kx++) {
                                    int ix = ox * g.stride() - g.pad() + kx;
                                    if (ix < 0 || ix >= g.w()) continue;
                                    acc += get(x, xOff + (((long) n * g.cIn() + ci) * g.h() + iy) * g.w() + ix)
                                            * get(w, wOff + (((long) co * g.cIn() + ci) * k + ky) * k + kx);
                                }
                            }
                        }
                        set(y, yOff + (((long) n * g.cOut() + co) * oh + oy) * ow + ox, acc);
                    }
                }
            }
        }
    }

    @Override
    public void conv2dBackwardData(Parallel par, ConvGeometry g, MemorySegment dy, long dyOff,
                                   MemorySegment w, long wOff, MemorySegment dx, long dxOff) {
        long inputs = (long) g.n() * g.inputSize();
        for (long i = 0; i < inputs; i++) set(dx, dxOff + i, 0f);
        int oh = g.outH(), ow = g.outW(), k = g.k();
        for (int n = 0; n < g.n(); n++) {
            for (int co = 0; co < g.cOut(); co++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        float d = get(dy, dyOff + (((long) n * g.cOut() + co) * oh + oy) * ow + ox);
                        for (int ci = 0; ci < g.cIn(); ci++) {
                            for (int ky = 0; ky < k; ky++) {
                                int iy = oy * g.stride() - g.pad() + ky;
                                if (iy < 0 || iy >= g.h()) continue;
                                for (int kx = 0; kx < k; kx++) {
                                    int ix = ox * g.stride() - g.pad() + kx;
                                    if (ix < 0 || ix >= g.w()) continue;
                                    long xi = dxOff + (((long) n * g.cIn() + ci) * g.h() + iy) * g.w() + ix;
                                    set(dx, xi, get(dx, xi) + d * get(w, wOff + (((long) co * g.cIn() + ci) * k + ky) * k + kx));
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void conv2dBackwardWeights(Parallel par, ConvGeometry g, MemorySegment x, long xOff,
                                      MemorySegment dy, long dyOff, MemorySegment dw, long dwOff) {
        int oh = g.outH(), ow = g.outW(), k = g.k();
        for (int co = 0; co < g.cOut(); co++) {
            for (int ci = 0; ci < g.cIn(); ci++) {
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        float acc = 0f;
                        for (int n = 0; n < g.n(); n++) {
                            for (int oy = 0; oy < oh; oy++) {
                                int iy = oy * g.stride() - g.pad() + ky;
                                if (iy < 0 || iy >= g.h()) continue;
                                for (int ox = 0; ox < ow; ox++) {
                                    int ix = ox * g.stride() - g.pad() + kx;
                                    if (ix < 0 || ix >= g.w()) continue;
                                    acc += get(x, xOff + (((long) n * g.cIn() + ci) * g.h() + iy) * g.w() + ix)
                                            * get(dy, dyOff + (((long) n * g.cOut() + co) * oh + oy) * ow + ox);
                                }
                            }
                        }
                        set(dw, dwOff + (((long) co * g.cIn() + ci) * k + ky) * k + kx, acc);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ pooling

    @Override
    public void maxPoolForward(PoolGeometry g, MemorySegment x, long xOff, MemorySegment y, long yOff,
                               MemorySegment argmax, long argOff) {
        int oh = g.outH(), ow = g.outW();
        for (long p = 0; p < g.planes(); p++) {
            long plane = xOff + p * g.h() * g.w();
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int best = (oy * g.stride()) * g.w() + ox * g.stride();
                    float max = get(x, plane + best);
                    for (int ky = 0; ky < g.k(); ky++) {
                        for (int kx = 0; kx < g.k(); kx++) {
                            int idx = (oy * g.stride() + ky) * g.w() + ox * g.stride() + kx;
                            float v = get(x, plane + idx);
                            if (v > max) { max = v; best = idx; }
                        }
                    }
                    long o = (p * oh + oy) * ow + ox;
                    set(y, yOff + o, max);
                    argmax.setAtIndex(I, argOff + o, best);
                }
            }
        }
    }

    @Override
    public void maxPoolBackward(PoolGeometry g, MemorySegment dy, long dyOff, MemorySegment argmax, long argOff,
                                MemorySegment dx, long dxOff) {
        long in = g.inputSize();
        for (long i = 0; i < in; i++) set(dx, dxOff + i, 0f);
        int outPlane = g.outH() * g.outW();
        for (long p = 0; p < g.planes(); p++) {
            for (int o = 0; o < outPlane; o++) {
                long oi = p * outPlane + o;
                long xi = dxOff + p * g.h() * g.w() + argmax.getAtIndex(I, argOff + oi);
                set(dx, xi, get(dx, xi) + get(dy, dyOff + oi));
            }
        }
    }

    // ------------------------------------------------------------------ bias

    @Override
    public void addChannelBias(int n, int c, int spatial, MemorySegment y, long yOff, MemorySegment bias, long bOff) {
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                float b = get(bias, bOff + ch);
                long base = yOff + ((long) i * c + ch) * spatial;
                for (int s = 0; s < spatial; s++) set(y, base + s, get(y, base + s) + b);
            }
        }
    }

    @Override
    public void channelBiasGrad(int n, int c, int spatial, MemorySegment dy, long dyOff, MemorySegment db, long dbOff) {
        for (int ch = 0; ch < c; ch++) {
            double acc = 0;
            for (int i = 0; i < n; i++) {
                long base = dyOff + ((long) i * c + ch) * spatial;
                for (int s = 0; s < spatial; s++) acc += get(dy, base + s);
            }
            set(db, dbOff + ch, (float) acc);
        }
    }

    // ------------------------------------------------------------------ elementwise

    @Override
    public void unary(UnaryOp op, int len, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        for (int i = 0; i < len; i++) set(y, yOff + i, op.apply(get(x, xOff + i)));
    }

    @Override
    public void activationBackward(UnaryOp op, int len, MemorySegment x, long xOff, MemorySegment dy, long dyOff,
                                   MemorySegment dx, long dxOff) {
        for (int i = 0; i < len; i++) set(dx, dxOff + i, get(dy, dyOff + i) * op.derivative(get(x, xOff + i)));
    }

    @Override
    public void axpy(int len, float alpha, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        for (int i = 0; i < len; i++) set(y, yOff + i, alpha * get(x, xOff + i) + get(y, yOff + i));
    }

    @Override
    public void mul(int len, MemorySegment x, long xOff, MemorySegment y, long yOff, MemorySegment z, long zOff) {
        for (int i = 0; i < len; i++) set(z, zOff + i, get(x, xOff + i) * get(y, yOff + i));
    }

    @Override
    public void scale(int len, float alpha, MemorySegment x, long xOff) {
        for (int i = 0; i < len; i++) set(x, xOff + i, alpha * get(x, xOff + i));
    }

    @Override
    public double sum(int len, MemorySegment x, long xOff) {
        double acc = 0;
        for (int i = 0; i < len; i++) acc += get(x, xOff + i);
        return acc;
    }

    @Override
    public double sumOfSquares(int len, MemorySegment x, long xOff) {
        double acc = 0;
        for (int i = 0; i < len; i++) {
            double v = get(x, xOff + i);
            acc += v * v;
        }
        return acc;
    }

    // ------------------------------------------------------------------ rows

    @Override
    public void softmaxRows(int rows, int cols, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        for (int r = 0; r < rows; r++) {
            long xr = xOff + (long) r * cols, yr = yOff + (long) r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) max = Math.max(max, get(x, xr + j));
            double total = 0;
            for (int j = 0; j < cols; j++) {
                float e = (float) Math.exp(get(x, xr + j) - max);
                set(y, yr + j, e);
                total += e;
            }
            float inv = (float) (1.0 / total);
            for (int j = 0; j < cols; j++) set(y, yr + j, get(y, yr + j) * inv);
        }
    }

    @Override
    public void logSoftmaxRows(int rows, int cols, MemorySegment x, long xOff, MemorySegment y, long yOff) {
        for (int r = 0; r < rows; r++) {
            long xr = xOff + (long) r * cols, yr = yOff + (long) r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) max = Math.max(max, get(x, xr + j));
            double total = 0;
            for (int j = 0; j < cols; j++) total += Math.exp(get(x, xr + j) - max);
            float logZ = max + (float) Math.log(total);
            for (int j = 0; j < cols; j++) set(y, yr + j, get(x, xr + j) - logZ);
        }
    }

    // ------------------------------------------------------------------ local reparameterization

    @Override
    public void lrtSample(int len, MemorySegment mu, long muOff, MemorySegment var, long varOff,
                          MemorySegment eps, long epsOff, MemorySegment y, long yOff) {
        for (int i = 0; i < len; i++) {
            set(y, yOff + i, get(mu, muOff + i) + (float) Math.sqrt(get(var, varOff + i)) * get(eps, epsOff + i));
        }
    }

    @Override
    public void lrtSampleBias(int n, int c, int spatial, MemorySegment mu, long muOff, MemorySegment var, long varOff,
                              MemorySegment bMu, long bMuOff, MemorySegment bVar, long bVarOff, MemorySegment eps, long epsOff,
                              MemorySegment y, long yOff) {
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                float bm = get(bMu, bMuOff + ch), bv = get(bVar, bVarOff + ch);
                long base = ((long) i * c + ch) * spatial;
                for (int s = 0; s < spatial; s++) {
                    float v = get(var, varOff + base + s) + bv;
                    set(var, varOff + base + s, v);
                    set(y, yOff + base + s, (get(mu, muOff + base + s) + bm) + (float) Math.sqrt(v) * get(eps, epsOff + base + s));
                }
            }
        }
    }

    @Override
    public void lrtBackward(int len, MemorySegment dy, long dyOff, MemorySegment var, long varOff,
                            MemorySegment eps, long epsOff, MemorySegment dVar, long dVarOff) {
        for (int i = 0; i < len; i++) {
            float s = (float) Math.sqrt(get(var, varOff + i));
            set(dVar, dVarOff + i, get(dy, dyOff + i) * get(eps, epsOff + i) / (2f * s));
        }
    }

    // ------------------------------------------------------------------ optimizer

    @Override
    public void adamStep(int len, MemorySegment p, long pOff, MemorySegment g, long gOff,
                         MemorySegment m, long mOff, MemorySegment v, long vOff,
                         float lr, float beta1, float beta2, float eps, float c1, float c2) {
        for (int i = 0; i < len; i++) {
            float gi = get(g, gOff + i);
            float mi = beta1 * get(m, mOff + i) + (1f - beta1) * gi;
            float vi = beta2 * get(v, vOff + i) + (1f - beta2) * gi * gi;
            set(m, mOff + i, mi);
            set(v, vOff + i, vi);
            float update = lr * (mi / c1) / ((float) Math.sqrt(vi / c2) + eps);
            set(p, pOff + i, get(p, pOff + i) - update);
        }
    }

    // ------------------------------------------------------------------ random numbers

    private static final int CHUNK = 4096;

    @Override
    public void fillGaussian(Parallel par, long seed, long stream, long counter, int len, MemorySegment dst, long dstOff) {
        float[] buf = new float[Math.min(CHUNK, Math.max(len, 1))];
        for (int done = 0; done < len; done += buf.length) {
            int n = Math.min(buf.length, len - done);
            Philox.fillGaussian(seed, stream, counter + done, buf, 0, n);
            MemorySegment.copy(buf, 0, dst, F, (dstOff + done) * Float.BYTES, n);
        }
    }

    @Override
    public void fillRademacher(Parallel par, long seed, long stream, long counter, int len, MemorySegment dst, long dstOff) {
        float[] buf = new float[Math.min(CHUNK, Math.max(len, 1))];
        for (int done = 0; done < len; done += buf.length) {
            int n = Math.min(buf.length, len - done);
            Philox.fillRademacher(seed, stream, counter + done, buf, 0, n);
            MemorySegment.copy(buf, 0, dst, F, (dstOff + done) * Float.BYTES, n);
        }
    }
}
