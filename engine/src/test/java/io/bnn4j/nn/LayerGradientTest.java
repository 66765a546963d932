package io.bnn4j.nn;

import io.bnn4j.bayes.Prior;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every layer's backward (float, through the kernels) against central finite differences of
 * an independent double-precision forward ({@link Ref}), at the same point and the same noise.
 * The loss is L = Σ g ⊙ y for a fixed random g, so ∂L/∂y = g.
 */
class LayerGradientTest {

    static final long SEED = 42;

    /** μ ~ N(0, 0.5²), ρ ~ N(−1.5, 0.3²) (σ ≈ 0.2): every term of the gradients matters. */
    static void randomize(Model m, long seed) {
        Random r = new Random(seed);
        double[] mu = new double[(int) m.meanCount()];
        for (int i = 0; i < mu.length; i++) mu[i] = 0.5 * r.nextGaussian();
        Ref.write(m.allMu().segment(), m.allMu().offset(), mu);
        if (m.bayesian()) {
            double[] rho = new double[mu.length];
            for (int i = 0; i < rho.length; i++) rho[i] = -1.5 + 0.3 * r.nextGaussian();
            Ref.write(m.allRho().segment(), m.allRho().offset(), rho);
        }
        m.parametersChanged();
    }

    static double[] gaussian(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.nextGaussian();
        return v;
    }

    static double[] concat(double[]... parts) {
        int n = 0;
        for (double[] a : parts) n += a.length;
        double[] out = new double[n];
        int at = 0;
        for (double[] a : parts) {
            System.arraycopy(a, 0, out, at, a.length);
            at += a.length;
        }
        return out;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    static Stream<Arguments> paramCases() {
        List<Arguments> l = new ArrayList<>();
        for (Estimator e : Estimator.values()) {
            // N=2, C=2, 5×5, k=3, strides 1 and 2, padding 0 and 1
            for (int stride : new int[]{1, 2})
                for (int pad : new int[]{0, 1})
                    l.add(Arguments.of(e, new ImageShape(2, 5, 5), new LayerDef.Conv("c", 3, 3, stride, pad)));
            l.add(Arguments.of(e, new ImageShape(3, 2, 2), new LayerDef.Dense("d", 5)));
        }
        return l.stream();
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("paramCases")
    void paramLayerGradientsMatchFiniteDifferences(Estimator est, ImageShape in, LayerDef def) {
        int n = 2;
        try (Model model = Model.ofLayers(in, List.of(def), est, Activation.SOFTPLUS, Prior.defaultPrior(), SEED);
             Workspace ws = new Workspace(model, n, 1, true); Arena arena = Arena.ofShared()) {
            randomize(model, 7);
            ParamLayer layer = (ParamLayer) model.layers().getFirst();
            int p = (int) model.meanCount();
            Random r = new Random(3);
            double[] x = gaussian(r, n * layer.inSize);
            Ref.write(ws.act[0], 0, x);
            ws.setPass(Workspace.Mode.SAMPLE, SEED, Noise.TRAIN, 5, n, 1, ws.act[0], 0);
            if (est.drawsWeights()) ws.drawWeights(0, p);
            layer.forward(ws, ws.buffers[0], ws.act[0], 0, ws.act[1], 0, 0, n);

            double[] g = gaussian(r, n * layer.outSize);
            MemorySegment gSeg = arena.allocate((long) g.length * 4), dx = arena.allocate((long) x.length * 4);
            MemorySegment partial = arena.allocate(2L * p * 4), temp = arena.allocate((long) p * 4);
            Ref.write(gSeg, 0, g);
            GradTarget target = new GradTarget(partial, 0, p, temp, 0);
            layer.backward(ws, ws.buffers[0], ws.act[0], 0, ws.act[1], 0, gSeg, 0, dx, 0, 0, n, target);

            double[] mu = Ref.read(model.allMu().segment(), model.allMu().offset(), p);
            double[] s = null, eps = null;
            if (est.bayesian()) {
                s = Ref.read(model.allSigma().segment(), model.allSigma().offset(), p);
                if (est == Estimator.LRT) {
                    for (int i = 0; i < p; i++) s[i] *= s[i];   // LRT's part S is ∂L/∂σ²
                    eps = Ref.read(((ParamLayer.LrtBuffers) ws.buffers[0]).eps, 0, n * layer.outSize);
                } else if (est == Estimator.FLIPOUT) {
                    // ε of the weights, then the layer's signs s_in (n, in) and s_out (n, out)
                    var f = (ParamLayer.FlipBuffers) ws.buffers[0];
                    eps = concat(Ref.read(ws.drawEps, 0, p), Ref.read(f.signIn, 0, n * layer.inSize), Ref.read(f.signOut, 0, n * layer.outSize));
                } else {
                    eps = Ref.read(ws.drawEps, 0, p);
                }
            }
            final double[] fs = s, feps = eps;
            // the float forward agrees with the double reference
            GradCheck.assertClose("y", Ref.paramLayer(layer, est, x, n, mu, s, eps), Ref.read(ws.act[1], 0, n * layer.outSize), 1e-5);

            ToDoubleFunction<double[]> byMu = v -> dot(g, Ref.paramLayer(layer, est, x, n, v, fs, feps));
            GradCheck.check(est + " dmu", Ref.read(partial, 0, p), mu, byMu);
            if (est.bayesian()) {
                ToDoubleFunction<double[]> byS = v -> dot(g, Ref.paramLayer(layer, est, x, n, mu, v, feps));
                GradCheck.check(est + (est == Estimator.LRT ? " dsigma2" : " dsigma"), Ref.read(partial, p, p), s, byS);
            }
            ToDoubleFunction<double[]> byX = v -> dot(g, Ref.paramLayer(layer, est, v, n, mu, fs, feps));
            GradCheck.check(est + " dx", Ref.read(dx, 0, x.length), x, byX);
        }
    }

    static Stream<Arguments> plainCases() {
        return Stream.of(
                Arguments.of(new ImageShape(2, 5, 5), new LayerDef.Act(), Activation.SOFTPLUS),
                Arguments.of(new ImageShape(2, 5, 5), new LayerDef.Act(), Activation.RELU),
                Arguments.of(new ImageShape(2, 6, 6), new LayerDef.MaxPool(2, 2), Activation.SOFTPLUS),
                Arguments.of(new ImageShape(2, 7, 7), new LayerDef.MaxPool(3, 2), Activation.SOFTPLUS),
                Arguments.of(new ImageShape(2, 5, 5), new LayerDef.MaxPool(2, 2), Activation.SOFTPLUS),  // odd size: last row dropped
                Arguments.of(new ImageShape(2, 3, 3), new LayerDef.Flatten(), Activation.SOFTPLUS));
    }

    @ParameterizedTest(name = "{1} {2} on {0}")
    @MethodSource("plainCases")
    void plainLayerGradientsMatchFiniteDifferences(ImageShape in, LayerDef def, Activation act) {
        int n = 2;
        try (Model model = Model.ofLayers(in, List.of(def), Estimator.NONE, act, Prior.defaultPrior(), SEED);
             Workspace ws = new Workspace(model, n, 1, true); Arena arena = Arena.ofShared()) {
            Layer layer = model.layers().getFirst();
            Random r = new Random(11);
            double[] x = gaussian(r, n * layer.inSize);
            if (act == Activation.RELU) for (int i = 0; i < x.length; i++) if (Math.abs(x[i]) < 0.05) x[i] = 0.5; // away from the kink
            Ref.write(ws.act[0], 0, x);
            ws.setPass(Workspace.Mode.SAMPLE, SEED, Noise.TRAIN, 0, n, 1, ws.act[0], 0);
            MemorySegment y = layer.aliasesInput() ? arena.allocate((long) n * layer.outSize * 4) : ws.act[1];
            layer.forward(ws, ws.buffers[0], ws.act[0], 0, y, 0, 0, n);
            double[] g = gaussian(r, n * layer.outSize);
            MemorySegment gSeg = arena.allocate((long) g.length * 4), dx = arena.allocate((long) x.length * 4);
            Ref.write(gSeg, 0, g);
            layer.backward(ws, ws.buffers[0], ws.act[0], 0, y, 0, gSeg, 0, dx, 0, 0, n, null);
            ToDoubleFunction<double[]> f = v -> dot(g, reference(layer, v, n));
            GradCheck.assertClose("y", reference(layer, x, n), Ref.read(y, 0, n * layer.outSize), 1e-6);
            GradCheck.check(def + " dx", Ref.read(dx, 0, x.length), x, f);
        }
    }

    private static double[] reference(Layer layer, double[] x, int n) {
        return switch (layer) {
            case ActivationLayer a -> {
                double[] y = new double[x.length];
                for (int i = 0; i < x.length; i++) y[i] = Ref.act(a.activation, x[i]);
                yield y;
            }
            case MaxPoolLayer p -> Ref.maxPool(x, n * p.in.c(), p.in.h(), p.in.w(), p.k, p.stride);
            case FlattenLayer f -> x.clone();
            default -> throw new AssertionError(layer);
        };
    }

    @Test
    void bbbMeanModeUsesTheMeansAndLrtNoiseDiffersPerExample() {
        // two identical images through an LRT layer: same a_μ, different noise, so different y
        int n = 2;
        try (Model model = Model.ofLayers(new ImageShape(1, 4, 4), List.of(new LayerDef.Dense("d", 3)), Estimator.LRT,
                Activation.SOFTPLUS, Prior.defaultPrior(), SEED); Workspace ws = new Workspace(model, n, 1, true)) {
            randomize(model, 1);
            double[] x = gaussian(new Random(2), 16);
            double[] xx = new double[32];
            System.arraycopy(x, 0, xx, 0, 16);
            System.arraycopy(x, 0, xx, 16, 16);
            Ref.write(ws.act[0], 0, xx);
            ws.setPass(Workspace.Mode.SAMPLE, SEED, Noise.TRAIN, 0, n, 1, ws.act[0], 0);
            ws.forward(0, n, 0);
            double[] y = Ref.read(ws.act[1], 0, 6);
            assertNotEquals(y[0], y[3]);
            ws.setPass(Workspace.Mode.MEAN, SEED, Noise.TRAIN, 0, n, 1, ws.act[0], 0);
            ws.forward(0, n, 0);
            y = Ref.read(ws.act[1], 0, 6);
            assertEquals(y[0], y[3]);
            assertEquals(y[2], y[5]);
        }
    }
}
