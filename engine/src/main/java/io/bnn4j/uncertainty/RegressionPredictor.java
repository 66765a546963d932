package io.bnn4j.uncertainty;

import io.bnn4j.bayes.GaussianNll;
import io.bnn4j.io.ModelStore.Regression;
import io.bnn4j.nn.InferenceSession;
import io.bnn4j.nn.Model;
import io.bnn4j.parallel.Parallel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * Regression with uncertainty: T posterior samples of a Gaussian-output model give, per target,
 * T means m_t and variances v_t = e^{s_t}; in the data's units (undoing the standardisation)
 * <pre>
 *   mean = (1/T) Σ m_t,   aleatoric = (1/T) Σ v_t,   epistemic = (1/T) Σ (m_t − mean)²,
 *   variance = aleatoric + epistemic,   interval = mean ± Φ⁻¹((1 + level)/2) · √variance
 * </pre>
 * (the law of total variance; the interval treats the predictive mixture as one Gaussian of that
 * variance). One thread at a time; buffers owned and reused; close it.
 *
 * <p>Noise: batch j of {@link #predict} calls uses stream {@code streamBase + j} under the seed.
 */
public final class RegressionPredictor implements AutoCloseable {

    /** One row's prediction, target j at index j, in the data's units. */
    public record Prediction(double[] mean, double[] aleatoric, double[] epistemic, double[] variance, double[] lower,
                             double[] upper) {}

    private final Model model;
    private final Regression columns;
    private final int samples, batch, f, k;
    private final long seed;
    private final double halfWidth;
    private final Arena arena = Arena.ofShared();
    private final Parallel par;
    private final InferenceSession session;
    private final MemorySegment in, out;

    /**
     * @param samples T ≥ 2 for an epistemic part (1 gives aleatoric only)
     * @param level   the central prediction interval's level, in (0, 1)
     */
    public RegressionPredictor(Model model, Regression columns, int samples, double level, long seed, int threads) {
        this.model = model;
        this.columns = Objects.requireNonNull(columns, "columns");
        if (samples < 1) throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        this.samples = samples;
        this.seed = seed;
        this.halfWidth = Gaussians.halfWidth(level);
        this.f = model.inputShape().size();
        this.k = model.numClasses() / 2;
        if ((!columns.images() && columns.features().size() != f) || columns.targets().size() != k) {
            throw new IllegalArgumentException("the columns do not match the model's inputs and outputs");
        }
        this.batch = Math.max(1, 256 / samples);   // scratch grows with batch × T, as the classifier's
        this.par = new Parallel(threads);
        try {
            this.session = new InferenceSession(model, batch, samples, par);
            this.in = arena.allocate((long) batch * f * Float.BYTES, 64);
            this.out = arena.allocate((long) batch * samples * 2 * k * Float.BYTES, 64);
        } catch (RuntimeException e) {
            par.close();
            arena.close();
            throw e;
        }
    }

    public int samples() { return samples; }

    /**
     * Predicts {@code n} rows of raw (unstandardised) features, n × F row-major (for an image
     * model: the model's inputs, C·H·W floats per image), passing each row's prediction to
     * {@code sink} in order.
     */
    public void predict(double[] features, int n, long streamBase, java.util.function.ObjIntConsumer<Prediction> sink) {
        if (features.length != (long) n * f) throw new IllegalArgumentException("features must be n x " + f);
        boolean images = columns.images();
        double[] fm = columns.featureMean(), fs = columns.featureSd(), tm = columns.targetMean(), ts = columns.targetSd();
        for (int from = 0, j = 0; from < n; from += batch, j++) {
            int m = Math.min(batch, n - from);
            for (int i = 0; i < m; i++) {
                for (int c = 0; c < f; c++) {
                    double x = features[(from + i) * f + c];
                    if (!Double.isFinite(x)) {
                        throw new io.bnn4j.BnnInputException("row " + (from + i) + ": " + (images ? "pixel " + c : "feature '" + columns.features().get(c) + "'") + " is " + x);
                    }
                    in.setAtIndex(ValueLayout.JAVA_FLOAT, (long) i * f + c, (float) (images ? x : (x - fm[c]) / fs[c]));
                }
            }
            session.predictSamples(in, 0, m, samples, seed, streamBase + j, out, 0);
            for (int i = 0; i < m; i++) {
                double[] mean = new double[k], ale = new double[k], epi = new double[k], var = new double[k], lo = new double[k], hi = new double[k];
                for (int t2 = 0; t2 < k; t2++) {
                    double s1 = 0, s2 = 0, v = 0;
                    for (int t = 0; t < samples; t++) {
                        long row = ((long) t * m + i) * 2 * k;
                        double mu = out.getAtIndex(ValueLayout.JAVA_FLOAT, row + t2);
                        double s = GaussianNll.clampLogVariance(out.getAtIndex(ValueLayout.JAVA_FLOAT, row + k + t2));
                        s1 += mu;
                        s2 += mu * mu;
                        v += Math.exp(s);
                    }
                    double mz = s1 / samples;
                    double epiZ = Math.max(0, s2 / samples - mz * mz), aleZ = v / samples;
                    double sd = ts[t2];
                    mean[t2] = tm[t2] + sd * mz;
                    ale[t2] = sd * sd * aleZ;
                    epi[t2] = sd * sd * epiZ;
                    var[t2] = ale[t2] + epi[t2];
                    lo[t2] = mean[t2] - halfWidth * Math.sqrt(var[t2]);
                    hi[t2] = mean[t2] + halfWidth * Math.sqrt(var[t2]);
                }
                sink.accept(new Prediction(mean, ale, epi, var, lo, hi), from + i);
            }
        }
    }

    @Override
    public void close() {
        session.close();
        par.close();
        arena.close();
    }
}
