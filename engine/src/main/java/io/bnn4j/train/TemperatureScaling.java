package io.bnn4j.train;

import io.bnn4j.kernel.UnaryOp;
import io.bnn4j.nn.InferenceSession;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.Parameter;
import io.bnn4j.parallel.Parallel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Temperature scaling (Guo et al. 2017) of a trained model's Monte-Carlo predictive, fitted on
 * held-out examples: p̄_τ = mean_t softmax(z_t / τ), τ minimising the held-out NLL of p̄_τ.
 *
 * <p>τ is folded into the last layer: its weight and bias posteriors N(μ, σ²) become N(μ/τ,
 * (σ/τ)²), which divides every sample's logits by τ exactly (LRT: a_μ/τ and a_var/τ²; weight
 * sampling: W/τ), so prediction code and model files need nothing new. Signal-to-noise ratios
 * |μ|/σ are unchanged.
 */
public final class TemperatureScaling {

    /** The search range of τ (golden section over log τ). */
    public static final double MIN_TEMPERATURE = 0.2, MAX_TEMPERATURE = 5.0;

    /**
     * @param temperature the fitted τ
     * @param nllBefore   held-out NLL at τ = 1
     * @param nllAfter    held-out NLL at τ
     * @param n           held-out examples used
     */
    public record Result(double temperature, double nllBefore, double nllAfter, int n) {}

    private TemperatureScaling() {}

    /**
     * Fits τ on {@code indices} of {@code source} with {@code samples} Monte-Carlo samples (0:
     * the posterior means; batch j uses noise stream streamBase + j) and folds it into the
     * model. With no examples, or when no τ lowers the NLL, the model is left as it is (τ = 1).
     */
    public static Result calibrate(Model model, BatchSource source, int[] indices, int samples, long seed, long streamBase, Parallel par) {
        int n = indices.length;
        if (n == 0) return new Result(1.0, Double.NaN, Double.NaN, 0);
        int t = Math.max(1, samples), classes = model.numClasses();
        int batch = Math.min(256, n);
        float[] logits = new float[Math.multiplyExact(Math.multiplyExact(n, t), classes)];   // (n, T, classes)
        int[] labels = new int[n];
        try (Arena arena = Arena.ofShared(); InferenceSession session = new InferenceSession(model, batch, t, par)) {
            MemorySegment x = arena.allocate((long) batch * model.inputShape().size() * Float.BYTES, 64);
            MemorySegment z = arena.allocate((long) batch * t * classes * Float.BYTES, 64);
            for (int from = 0, j = 0; from < n; from += batch, j++) {
                int count = Math.min(batch, n - from);
                source.writeBatch(indices, from, count, x, 0);
                if (samples == 0) session.predictMean(x, 0, count, z, 0);
                else session.predictSamples(x, 0, count, samples, seed, streamBase + j, z, 0);
                for (int i = 0; i < count; i++) {
                    labels[from + i] = source.label(indices[from + i]);
                    for (int s = 0; s < t; s++) {
                        long src = ((long) s * count + i) * classes;   // sample-major (T, count, classes)
                        MemorySegment.copy(z, ValueLayout.JAVA_FLOAT, src * Float.BYTES, logits, ((from + i) * t + s) * classes, classes);
                    }
                }
            }
        }
        double before = nll(logits, labels, t, classes, 1.0);
        double tau = fit(logits, labels, t, classes);
        double after = nll(logits, labels, t, classes, tau);
        if (!(after < before)) {
            tau = 1.0;
            after = before;
        }
        if (tau != 1.0) apply(model, tau);
        return new Result(tau, before, after, n);
    }

    /** Divides the last layer's μ and σ by τ (ρ rewritten so that softplus(ρ) = σ/τ). */
    public static void apply(Model model, double tau) {
        if (!(tau > 0) || !Double.isFinite(tau)) throw new IllegalArgumentException("temperature must be > 0, got " + tau);
        var ps = model.parameters();
        for (Parameter p : ps.subList(ps.size() - 2, ps.size())) {
            float[] mu = p.mu().toArray();
            for (int i = 0; i < mu.length; i++) mu[i] = (float) (mu[i] / tau);
            p.mu().copyFrom(mu);
            if (p.rho() != null) {
                float[] rho = p.rho().toArray();
                for (int i = 0; i < rho.length; i++) rho[i] = (float) Moped.inverseSoftplus(UnaryOp.softplus(rho[i]) / tau);
                p.rho().copyFrom(rho);
            }
        }
        model.parametersChanged();
    }

    /** Golden-section search of log τ on [log MIN, log MAX] (the NLL is smooth and, in practice, unimodal in τ). */
    static double fit(float[] logits, int[] labels, int t, int classes) {
        double a = Math.log(MIN_TEMPERATURE), b = Math.log(MAX_TEMPERATURE);
        double g = (Math.sqrt(5) - 1) / 2;
        double c = b - g * (b - a), d = a + g * (b - a);
        double fc = nll(logits, labels, t, classes, Math.exp(c)), fd = nll(logits, labels, t, classes, Math.exp(d));
        for (int it = 0; it < 40; it++) {
            if (fc < fd) {
                b = d; d = c; fd = fc;
                c = b - g * (b - a);
                fc = nll(logits, labels, t, classes, Math.exp(c));
            } else {
                a = c; c = d; fc = fd;
                d = a + g * (b - a);
                fd = nll(logits, labels, t, classes, Math.exp(d));
            }
        }
        return Math.exp((a + b) / 2);
    }

    /** Mean over examples of −log((1/T) Σ_t softmax(z_t/τ)[y]), in double. logits: (n, T, classes). */
    static double nll(float[] logits, int[] labels, int t, int classes, double tau) {
        double total = 0;
        double inv = 1 / tau;
        for (int i = 0; i < labels.length; i++) {
            double p = 0;
            for (int s = 0; s < t; s++) {
                int o = (i * t + s) * classes;
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) max = Math.max(max, logits[o + c] * inv);
                double sum = 0;
                for (int c = 0; c < classes; c++) sum += Math.exp(logits[o + c] * inv - max);
                p += Math.exp(logits[o + labels[i]] * inv - max) / sum;
            }
            total -= Math.log(Math.max(p / t, Double.MIN_NORMAL));
        }
        return total / labels.length;
    }
}
