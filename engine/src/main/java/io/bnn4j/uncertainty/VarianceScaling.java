package io.bnn4j.uncertainty;

import io.bnn4j.io.ModelStore.Regression;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.Parameter;

import java.util.List;

/**
 * Post-hoc calibration of a regression model's aleatoric variance, the regression twin of
 * temperature scaling: one factor c for every predicted variance, chosen so that on held-out rows
 * the central 50/80/90/95% intervals of the predictive variance c·aleatoric + epistemic cover as
 * close to 50/80/90/95% as one factor can (least squares over the levels; among equal fits the
 * lowest Gaussian NLL), then folded into the model by adding log c to the bias mean of each
 * log-variance output (every sample's e^s is then multiplied by c, except where s + log c
 * crosses the clamp of {@link io.bnn4j.bayes.GaussianNll#clampLogVariance}). Coverage rather than
 * NLL: with heavier tails than a Gaussian's, the NLL-optimal variance makes the 90% interval cover
 * nearly all rows.
 */
public final class VarianceScaling {

    /** The range of c searched (a log grid). */
    public static final double MIN = 0.02, MAX = 50;

    private VarianceScaling() {}

    /** @param factor c; @param nllBefore and {@code nllAfter} on the held-out rows, per row */
    public record Result(double factor, double nllBefore, double nllAfter, int n) {}

    /**
     * Fits c on {@code n} held-out rows (raw features n × F, targets n) with T samples and folds it
     * into {@code model}'s last layer.
     */
    public static Result calibrate(Model model, Regression columns, double[] features, double[] targets, int n, int samples,
                                   long seed, long stream) {
        double[] mean = new double[n], ale = new double[n], epi = new double[n];
        try (RegressionPredictor p = new RegressionPredictor(model, columns, samples, 0.9, seed, 1)) {
            p.predict(features, n, stream, (r, i) -> {
                mean[i] = r.mean()[0];
                ale[i] = r.aleatoric()[0];
                epi[i] = r.epistemic()[0];
            });
        }
        // c on a log grid: the smallest coverage error over the reported levels, ties broken by the NLL
        double c = 1, bestError = calibrationError(1, mean, ale, epi, targets), bestNll = nll(1, mean, ale, epi, targets);
        for (int g = 0; g <= GRID; g++) {
            double cg = Math.exp(Math.log(MIN) + (Math.log(MAX) - Math.log(MIN)) * g / GRID);
            double e = calibrationError(cg, mean, ale, epi, targets), l = nll(cg, mean, ale, epi, targets);
            if (e < bestError - 1e-12 || (Math.abs(e - bestError) <= 1e-12 && l < bestNll)) {
                c = cg;
                bestError = e;
                bestNll = l;
            }
        }
        double before = nll(1, mean, ale, epi, targets), after = nll(c, mean, ale, epi, targets);
        fold(model, Math.log(c));
        return new Result(c, before / n, after / n, n);
    }

    static final int GRID = 600;

    /** Σ over {@link RegressionMetrics#LEVELS} of (coverage − level)² under the variance c·aleatoric + epistemic. */
    static double calibrationError(double c, double[] mean, double[] ale, double[] epi, double[] y) {
        double err = 0;
        for (double level : RegressionMetrics.LEVELS) {
            double z = Gaussians.halfWidth(level);
            int inside = 0;
            for (int i = 0; i < y.length; i++) if (Math.abs(y[i] - mean[i]) <= z * Math.sqrt(c * ale[i] + epi[i])) inside++;
            double cov = (double) inside / y.length;
            err += (cov - level) * (cov - level);
        }
        return err;
    }

    static double nll(double c, double[] mean, double[] ale, double[] epi, double[] y) {
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            double v = c * ale[i] + epi[i], r = y[i] - mean[i];
            s += 0.5 * (Math.log(2 * Math.PI * v) + r * r / v);
        }
        return s;
    }

    /** Adds {@code shift} to the bias mean of every log-variance output (the second half of the last layer's outputs). */
    static void fold(Model model, double shift) {
        if (shift == 0) return;
        List<Parameter> params = model.parameters();
        Parameter bias = params.getLast();
        if (!bias.name().endsWith(".bias")) throw new IllegalStateException("the last parameter is not the output bias: " + bias.name());
        int outputs = model.numClasses(), k = outputs / 2;
        for (int j = k; j < outputs; j++) bias.mu().setFlat(j, (float) (bias.mu().getFlat(j) + shift));
        model.parametersChanged();
    }
}
