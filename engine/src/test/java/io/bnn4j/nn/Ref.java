package io.bnn4j.nn;

import io.bnn4j.bayes.Kl;
import io.bnn4j.bayes.KlKind;
import io.bnn4j.bayes.Prior;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Double-precision scalar reference of every layer (plain loops, written independently of the
 * engine's float code), for finite-difference gradient checks.
 */
final class Ref {

    private Ref() {}

    // x: (n, c, h, w), wt: (cout, c, k, k) → (n, cout, oh, ow)
    static double[] conv(double[] x, int n, int c, int h, int w, double[] wt, int cout, int k, int s, int p) {
        int oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
        double[] y = new double[n * cout * oh * ow];
        for (int i = 0; i < n; i++)
            for (int o = 0; o < cout; o++)
                for (int r = 0; r < oh; r++)
                    for (int q = 0; q < ow; q++) {
                        double acc = 0;
                        for (int ci = 0; ci < c; ci++)
                            for (int a = 0; a < k; a++)
                                for (int b = 0; b < k; b++) {
                                    int iy = r * s - p + a, ix = q * s - p + b;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                    acc += x[((i * c + ci) * h + iy) * w + ix] * wt[((o * c + ci) * k + a) * k + b];
                                }
                        y[((i * cout + o) * oh + r) * ow + q] = acc;
                    }
        return y;
    }

    // x: (n, in), wt: (out, in) → (n, out)
    static double[] dense(double[] x, int n, int in, double[] wt, int out) {
        double[] y = new double[n * out];
        for (int i = 0; i < n; i++)
            for (int o = 0; o < out; o++) {
                double acc = 0;
                for (int j = 0; j < in; j++) acc += x[i * in + j] * wt[o * in + j];
                y[i * out + o] = acc;
            }
        return y;
    }

    static void addBias(double[] y, int n, int c, int spatial, double[] b) {
        for (int i = 0; i < n; i++)
            for (int o = 0; o < c; o++)
                for (int s = 0; s < spatial; s++) y[(i * c + o) * spatial + s] += b[o];
    }

    static double[] maxPool(double[] x, int planes, int h, int w, int k, int s) {
        int oh = (h - k) / s + 1, ow = (w - k) / s + 1;
        double[] y = new double[planes * oh * ow];
        for (int p = 0; p < planes; p++)
            for (int r = 0; r < oh; r++)
                for (int q = 0; q < ow; q++) {
                    double m = Double.NEGATIVE_INFINITY;
                    for (int a = 0; a < k; a++)
                        for (int b = 0; b < k; b++) m = Math.max(m, x[(p * h + r * s + a) * w + q * s + b]);
                    y[(p * oh + r) * ow + q] = m;
                }
        return y;
    }

    static double softplus(double v) {
        return v > 30 ? v : Math.log1p(Math.exp(v));
    }

    static double act(Activation a, double v) {
        return a == Activation.RELU ? Math.max(0, v) : softplus(v);
    }

    static double[] slice(double[] a, int from, int len) {
        double[] r = new double[len];
        System.arraycopy(a, from, r, 0, len);
        return r;
    }

    static double[] read(MemorySegment s, long off, int len) {
        double[] r = new double[len];
        for (int i = 0; i < len; i++) r[i] = s.getAtIndex(ValueLayout.JAVA_FLOAT, off + i);
        return r;
    }

    static void write(MemorySegment s, long off, double[] v) {
        for (int i = 0; i < v.length; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, off + i, (float) v[i]);
    }

    /**
     * The linear part of a param layer on n examples: lin(x, wt) (conv or dense), no bias.
     */
    static double[] lin(ParamLayer layer, double[] x, int n, double[] wt) {
        if (layer instanceof ConvLayer c) {
            return conv(x, n, c.in.c(), c.in.h(), c.in.w(), wt, c.out.c(), c.k, c.stride, c.pad);
        }
        return dense(x, n, layer.inSize, wt, layer.outSize);
    }

    /**
     * A param layer's output on n examples under its estimator, in double:
     * NONE: lin(x, μ) + μ_b; BBB: lin(x, μ + s·ε) + (μ_b + s_b·ε_b) with s = σ;
     * LRT: lin(x, μ) + μ_b + sqrt(lin(x², s) + s_b + 1e-16)·ε with s = σ² (rows of eps from 0).
     * FLIPOUT: lin(x, μ) + μ_b + s_out·(lin(x·s_in, s·ε) + s_b·ε_b) with s = σ.
     * mu/s: the layer's flat parameters (weight then bias); eps: BBB (weight then bias), LRT (n, out),
     * or FLIPOUT: ε (weight then bias), then s_in (n, in), then s_out (n, out).
     */
    static double[] paramLayer(ParamLayer layer, Estimator est, double[] x, int n, double[] mu, double[] s, double[] eps) {
        int wn = layer.weight.size(), bn = layer.bias.size();
        double[] muW = slice(mu, 0, wn), muB = slice(mu, wn, bn);
        switch (est) {
            case NONE, DROPOUT -> {   // dropout: the caller passes the dropped input
                double[] y = lin(layer, x, n, muW);
                addBias(y, n, layer.channels, layer.spatial, muB);
                return y;
            }
            case BBB -> {
                double[] w = new double[wn], b = new double[bn];
                for (int i = 0; i < wn; i++) w[i] = muW[i] + s[i] * eps[i];
                for (int i = 0; i < bn; i++) b[i] = muB[i] + s[wn + i] * eps[wn + i];
                double[] y = lin(layer, x, n, w);
                addBias(y, n, layer.channels, layer.spatial, b);
                return y;
            }
            case FLIPOUT -> {
                double[] y = lin(layer, x, n, muW);
                addBias(y, n, layer.channels, layer.spatial, muB);
                int in = n * layer.inSize, out = n * layer.outSize;
                double[] dw = new double[wn], db = new double[bn], xs = new double[in];
                for (int i = 0; i < wn; i++) dw[i] = s[i] * eps[i];
                for (int i = 0; i < bn; i++) db[i] = s[wn + i] * eps[wn + i];
                for (int i = 0; i < in; i++) xs[i] = x[i] * eps[wn + bn + i];
                double[] z = lin(layer, xs, n, dw);
                addBias(z, n, layer.channels, layer.spatial, db);
                for (int i = 0; i < out; i++) y[i] += eps[wn + bn + in + i] * z[i];
                return y;
            }
            case LRT -> {
                double[] y = lin(layer, x, n, muW);
                addBias(y, n, layer.channels, layer.spatial, muB);
                double[] x2 = new double[x.length];
                for (int i = 0; i < x.length; i++) x2[i] = x[i] * x[i];
                double[] v = lin(layer, x2, n, slice(s, 0, wn));
                double[] vb = slice(s, wn, bn);
                for (int i = 0; i < bn; i++) vb[i] += 1e-16;
                addBias(v, n, layer.channels, layer.spatial, vb);
                for (int i = 0; i < y.length; i++) y[i] += Math.sqrt(v[i]) * eps[i];
                return y;
            }
        }
        throw new AssertionError();
    }

    /** Noise of a whole network pass, as the engine drew it. */
    interface Noise {
        /** LRT ε of param layer {@code ordinal} for expanded examples [first, first + count): (count, out). */
        double[] lrt(int ordinal, int first, int count, int outSize);

        /** BBB ε of sample t for the flat parameters [offset, offset + len). */
        double[] draw(int t, long offset, int len);

        /** MC-dropout keep mask (scaled) of param layer {@code ordinal}, examples [first, first + count): (count, in). */
        default double[] dropMask(int ordinal, int first, int count, int inSize) {
            throw new UnsupportedOperationException("no dropout masks");
        }

        /** Flipout signs of param layer {@code ordinal}, examples [first, first + count): s_in (count, in), then s_out (count, out). */
        default double[] signs(int ordinal, int first, int count, int inSize, int outSize) {
            throw new UnsupportedOperationException("no Flipout signs");
        }
    }

    /**
     * Logits (T, n, classes) of a model's network in double, with parameters mu and sigma (flat,
     * model order) and the engine's noise.
     */
    static double[] logits(Model model, double[] x, int n, int samples, double[] mu, double[] sigma, Noise noise) {
        Estimator est = model.estimator();
        int classes = model.numClasses();
        double[] out = new double[samples * n * classes];
        for (int t = 0; t < samples; t++) {
            double[] a = x.clone();
            for (Layer layer : model.layers()) {
                switch (layer) {
                    case ParamLayer p -> {
                        int off = (int) p.weight.offset(), len = p.weight.size() + p.bias.size();
                        double[] m = slice(mu, off, len);
                        double[] s = null, e = null;
                        if (est == Estimator.BBB) {
                            s = slice(sigma, off, len);
                            e = noise.draw(t, off, len);
                        } else if (est == Estimator.DROPOUT && p.ordinal > 0) {
                            double[] mk = noise.dropMask(p.ordinal, t * n, n, p.inSize);
                            a = a.clone();
                            for (int i = 0; i < a.length; i++) a[i] *= mk[i];
                        } else if (est == Estimator.FLIPOUT) {
                            s = slice(sigma, off, len);
                            e = LayerGradientTest.concat(noise.draw(t, off, len), noise.signs(p.ordinal, t * n, n, p.inSize, p.outSize));
                        } else if (est == Estimator.LRT) {
                            s = slice(sigma, off, len);
                            for (int i = 0; i < len; i++) s[i] = s[i] * s[i];
                            e = noise.lrt(p.ordinal, t * n, n, p.outSize);
                        }
                        a = paramLayer(p, est, a, n, m, s, e);
                    }
                    case ActivationLayer al -> {
                        for (int i = 0; i < a.length; i++) a[i] = act(al.activation, a[i]);
                    }
                    case MaxPoolLayer mp -> a = maxPool(a, n * mp.in.c(), mp.in.h(), mp.in.w(), mp.k, mp.stride);
                    case FlattenLayer f -> { }
                    default -> throw new AssertionError(layer);
                }
            }
            System.arraycopy(a, 0, out, t * n * classes, n * classes);
        }
        return out;
    }

    /** Mean over images of −log((1/T) Σ_t softmax(z_t)[y]), in double. */
    static double meanNll(double[] logits, int n, int samples, int classes, int[] labels) {
        double total = 0;
        for (int i = 0; i < n; i++) {
            double mean = 0;
            for (int t = 0; t < samples; t++) {
                int row = (t * n + i) * classes;
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) max = Math.max(max, logits[row + c]);
                double z = 0;
                for (int c = 0; c < classes; c++) z += Math.exp(logits[row + c] - max);
                mean += Math.exp(logits[row + labels[i]] - max) / z;
            }
            total += -Math.log(mean / samples);
        }
        return total / n;
    }

    /** KL of all (unmasked) parameters in double: closed form, or Monte Carlo with eps (T, P). */
    static double kl(Prior prior, KlKind kind, double[] mu, double[] sigma, int samples, double[][] eps) {
        return kl(prior, null, kind, mu, sigma, samples, eps);
    }

    /** As above; priorMeans (per element) replaces a Gaussian prior's mean when not null. */
    static double kl(Prior prior, double[] priorMeans, KlKind kind, double[] mu, double[] sigma, int samples, double[][] eps) {
        double total = 0;
        for (int i = 0; i < mu.length; i++) {
            if (prior instanceof Prior.Gaussian g) {
                total += Kl.gaussian(kind, mu[i], sigma[i], priorMeans == null ? g.mu() : priorMeans[i], g.sigma());
            } else {
                Prior.ScaleMixture m = (Prior.ScaleMixture) prior;
                for (int t = 0; t < samples; t++) total += Kl.monteCarloElement(m, mu[i], sigma[i], eps[t][i]) / samples;
            }
        }
        return total;
    }
}
