package io.bnn4j.nn;

import io.bnn4j.bayes.KlKind;
import io.bnn4j.bayes.Prior;
import io.bnn4j.parallel.Parallel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The whole training loss, mean NLL over T = 2 samples (log-mean-exp) + klScale·KL, through a
 * small conv → softplus → max pool → flatten → dense network: ∂loss/∂μ and ∂loss/∂ρ from
 * {@link Backprop} (reduced over two gradient chunks, accumulated over the two samples) against
 * central differences of a double-precision reference with the noise held fixed.
 */
class ElboGradientTest {

    static final long SEED = 9;

    static Stream<Arguments> cases() {
        Prior gauss = Prior.gaussian(0.3);
        Prior mix = new Prior.ScaleMixture(0.5, 1.0, 0.05);
        return Stream.of(
                Arguments.of(Estimator.LRT, gauss, KlKind.STANDARD, false, false),
                Arguments.of(Estimator.LRT, gauss, KlKind.REVERSE, false, false),
                Arguments.of(Estimator.LRT, mix, KlKind.STANDARD, false, false),
                Arguments.of(Estimator.LRT, gauss, KlKind.STANDARD, true, false),
                Arguments.of(Estimator.LRT, gauss, KlKind.STANDARD, true, true),
                Arguments.of(Estimator.BBB, gauss, KlKind.STANDARD, false, false),
                Arguments.of(Estimator.BBB, gauss, KlKind.REVERSE, false, true),
                Arguments.of(Estimator.BBB, mix, KlKind.STANDARD, true, false),
                Arguments.of(Estimator.FLIPOUT, gauss, KlKind.STANDARD, false, false),
                Arguments.of(Estimator.FLIPOUT, gauss, KlKind.STANDARD, false, true),
                Arguments.of(Estimator.FLIPOUT, mix, KlKind.STANDARD, true, false),
                Arguments.of(Estimator.DROPOUT, gauss, KlKind.STANDARD, false, false),
                Arguments.of(Estimator.NONE, gauss, KlKind.STANDARD, false, false));
    }

    /** centred: every weight's Gaussian prior has its own mean (empirical Bayes). */
    @ParameterizedTest(name = "{0} {1} {2} masked={3} centred={4}")
    @MethodSource("cases")
    void lossGradientMatchesFiniteDifferences(Estimator est, Prior prior, KlKind kind, boolean masked, boolean centred) {
        int n = 3, samples = est.stochastic() ? 2 : 1;
        double klScale = 0.05;
        List<LayerDef> defs = List.of(new LayerDef.Conv("c1", 3, 3, 1, 1), new LayerDef.Act(), new LayerDef.MaxPool(2, 2),
                new LayerDef.Flatten(), new LayerDef.Dense("fc", 4));
        try (Model model = Model.ofLayers(new ImageShape(2, 5, 5), defs, est, Activation.SOFTPLUS, prior, SEED);
             Backprop bp = new Backprop(model, n, samples, kind, Parallel.serial(), 2)) {
            LayerGradientTest.randomize(model, 5);
            int p = (int) model.meanCount();
            double[] mask = new double[p];
            java.util.Arrays.fill(mask, 1);
            if (masked) {
                Parameter w = model.parameter("c1.weight");
                float[] m = new float[w.size()];
                for (int i = 0; i < m.length; i++) m[i] = i % 3 == 0 ? 0f : 1f;
                w.setMask(m);
                for (int i = 0; i < m.length; i++) mask[(int) w.offset() + i] = m[i];
            }
            double[] priorMeans = null;
            if (centred) {
                Random pr = new Random(7);
                float[] pm = new float[p];
                priorMeans = new double[p];
                for (int i = 0; i < p; i++) priorMeans[i] = pm[i] = (float) (0.3 * pr.nextGaussian());
                model.setPriorMeans(pm);
            }
            double[] keptPriorMeans = priorMeans;
            assertEquals(2, (n + bp.chunkImages() - 1) / bp.chunkImages(), "two gradient chunks");
            Random r = new Random(1);
            double[] x = new double[n * 50];
            for (int i = 0; i < x.length; i++) x[i] = r.nextDouble();
            Ref.write(bp.input(), 0, x);
            int[] labels = {1, 3, 0};
            System.arraycopy(labels, 0, bp.labels(), 0, n);
            StepResult res = bp.step(n, SEED, 3, klScale);

            Workspace ws = bp.workspace();
            Ref.Noise noise = new Ref.Noise() {
                /** The buffers of param layer {@code ordinal} in the step's workspace. */
                Object buffers(int ordinal) {
                    for (Layer l : model.layers()) {
                        if (l instanceof ParamLayer pl && pl.ordinal == ordinal) return ws.buffers[pl.index];
                    }
                    throw new AssertionError("no param layer " + ordinal);
                }

                @Override
                public double[] lrt(int ordinal, int first, int count, int outSize) {
                    return Ref.read(((ParamLayer.LrtBuffers) buffers(ordinal)).eps, (long) first * outSize, count * outSize);
                }

                @Override
                public double[] draw(int t, long offset, int len) {
                    return Ref.read(ws.drawEps, t * (long) p + offset, len);
                }

                @Override
                public double[] dropMask(int ordinal, int first, int count, int inSize) {
                    return Ref.read(((ParamLayer.DropBuffers) buffers(ordinal)).mask, (long) first * inSize, count * inSize);
                }

                @Override
                public double[] signs(int ordinal, int first, int count, int inSize, int outSize) {
                    var f = (ParamLayer.FlipBuffers) buffers(ordinal);
                    return LayerGradientTest.concat(Ref.read(f.signIn, (long) first * inSize, count * inSize),
                            Ref.read(f.signOut, (long) first * outSize, count * outSize));
                }
            };
            double[][] klEps = new double[samples][];
            if (prior instanceof Prior.ScaleMixture) {
                for (int t = 0; t < samples; t++) {
                    klEps[t] = est == Estimator.LRT ? Ref.read(bp.klEps(), (long) t * p, p) : Ref.read(ws.drawEps, (long) t * p, p);
                }
            }
            double[] mu0 = Ref.read(model.allMu().segment(), model.allMu().offset(), p);
            double[] rho0 = est.bayesian() ? Ref.read(model.allRho().segment(), model.allRho().offset(), p) : new double[p];

            java.util.function.BiFunction<double[], double[], double[]> lossParts = (mu, rho) -> {
                double[] m = new double[p], sig = new double[p];
                for (int i = 0; i < p; i++) {
                    m[i] = mu[i] * mask[i];
                    sig[i] = est.bayesian() ? Ref.softplus(rho[i]) * mask[i] : 0;
                }
                double nll = Ref.meanNll(Ref.logits(model, x, n, samples, m, sig, noise), n, samples, model.numClasses(), labels);
                double kl = 0;
                if (est.bayesian()) {
                    // masked elements are excluded from the KL
                    List<Integer> keep = new java.util.ArrayList<>();
                    for (int i = 0; i < p; i++) if (mask[i] != 0) keep.add(i);
                    double[] km = new double[keep.size()], ks = new double[keep.size()];
                    double[] kp = keptPriorMeans == null ? null : new double[keep.size()];
                    double[][] ke = new double[samples][keep.size()];
                    for (int j = 0; j < keep.size(); j++) {
                        km[j] = m[keep.get(j)];
                        ks[j] = sig[keep.get(j)];
                        if (kp != null) kp[j] = keptPriorMeans[keep.get(j)];
                        if (klEps[0] != null) for (int t = 0; t < samples; t++) ke[t][j] = klEps[t][keep.get(j)];
                    }
                    kl = Ref.kl(prior, kp, kind, km, ks, samples, ke);
                }
                return new double[]{nll, kl};
            };
            double[] parts = lossParts.apply(mu0, rho0);
            assertEquals(parts[0], res.nll(), 1e-5 * Math.max(1, parts[0]), "mean NLL");
            assertEquals(parts[1], res.kl(), 1e-5 * Math.max(1, Math.abs(parts[1])), "KL");

            GradCheck.check(est + " dloss/dmu", Ref.read(model.allGradMu().segment(), model.allGradMu().offset(), p), mu0.clone(),
                    v -> { double[] q = lossParts.apply(v, rho0); return q[0] + klScale * q[1]; });
            if (est.bayesian()) {
                GradCheck.check(est + " dloss/drho", Ref.read(model.allGradRho().segment(), model.allGradRho().offset(), p), rho0.clone(),
                        v -> { double[] q = lossParts.apply(mu0, v); return q[0] + klScale * q[1]; });
            }
            if (masked) {
                double[] gm = Ref.read(model.allGradMu().segment(), model.allGradMu().offset(), p);
                for (int i = 0; i < p; i++) if (mask[i] == 0) assertEquals(0.0, Math.abs(gm[i]), "masked gradient " + i);
            }
        }
    }
}
