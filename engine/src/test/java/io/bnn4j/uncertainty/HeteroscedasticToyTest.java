package io.bnn4j.uncertainty;

import io.bnn4j.bayes.Prior;
import io.bnn4j.io.ModelStore.Regression;
import io.bnn4j.nn.Activation;
import io.bnn4j.nn.Estimator;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.train.RegressionTrainer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A 1-D heteroscedastic problem: y = sin(x) + ε, ε ~ N(0, σ(x)²) with σ(x) = 0.05 + 0.1·(x + 4)
 * growing with x, x drawn from [−4, −1] ∪ [1, 4]. A Bayesian MLP (the regression defaults: LRT, prior σ 0.1, β 0.1)
 * with the Gaussian head must learn the noise where there is data (its aleatoric variance ranked
 * like σ², Spearman ≥ 0.9) and know that it knows nothing away from the data (epistemic variance
 * on x in [5, 7] ≥ 5× its mean where the data is dense).
 *
 * <p>In the gap (−1, 1) between the two clusters the mean-field posterior's epistemic variance does
 * not rise (about 0.4× the dense value): the known "in-between" weakness of mean-field variational
 * inference, measured and discussed in docs/RESULTS.md; this test does not claim it.
 */
class HeteroscedasticToyTest {

    static double sigma(double x) {
        return 0.05 + 0.1 * (x + 4);
    }

    @Test
    void aleatoricTracksTheNoiseAndEpistemicGrowsAwayFromTheData() {
        int n = 800;
        SplittableRandom rnd = new SplittableRandom(7);
        double[] xs = new double[n], ys = new double[n];
        for (int i = 0; i < n; i++) {
            double x = rnd.nextDouble(1, 4) * (i % 2 == 0 ? -1 : 1);
            xs[i] = x;
            ys[i] = Math.sin(x) + sigma(x) * rnd.nextGaussian();
        }
        Regression columns = new Regression(List.of("x"), new double[]{mean(xs)}, new double[]{sd(xs)}, List.of("y"),
                new double[]{mean(ys)}, new double[]{sd(ys)});
        float[] f = new float[n], t = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) ((xs[i] - mean(xs)) / sd(xs));
            t[i] = (float) ((ys[i] - mean(ys)) / sd(ys));
        }
        ModelSpec spec = new ModelSpec(ModelSpec.MLP, 1, 1, 1, 2, Estimator.LRT, Activation.RELU, Prior.gaussian(io.bnn4j.job.RegressionTrainJob.DEFAULT_PRIOR_SIGMA), new int[]{50, 50});
        try (Model model = Model.create(spec, 3)) {
            RegressionTrainer.fit(model, f, t, n, RegressionTrainer.Config.defaults(300).withSeed(5), e -> {});
            int dense = 122, far = 21;
            double[] grid = new double[dense + far];
            for (int i = 0; i <= 60; i++) {
                grid[2 * i] = -4 + 3.0 * i / 60;
                grid[2 * i + 1] = 1 + 3.0 * i / 60;
            }
            for (int i = 0; i < far; i++) grid[dense + i] = 5 + 2.0 * i / (far - 1);
            double[] ale = new double[grid.length], epi = new double[grid.length], mu = new double[grid.length];
            try (RegressionPredictor p = new RegressionPredictor(model, columns, 200, 0.9, 11, 1)) {
                p.predict(grid, grid.length, 0, (r, i) -> {
                    ale[i] = r.aleatoric()[0];
                    epi[i] = r.epistemic()[0];
                    mu[i] = r.mean()[0];
                });
            }
            double[] trueVar = new double[dense], predVar = new double[dense];
            double denseEpi = 0, farEpi = 0, sse = 0;
            for (int i = 0; i < dense; i++) {
                trueVar[i] = sigma(grid[i]) * sigma(grid[i]);
                predVar[i] = ale[i];
                denseEpi += epi[i] / dense;
                sse += Math.pow(mu[i] - Math.sin(grid[i]), 2);
            }
            for (int i = dense; i < grid.length; i++) farEpi += epi[i] / far;
            double rho = spearman(trueVar, predVar);
            assertTrue(Math.sqrt(sse / dense) < 0.2, "the mean follows sin(x): RMSE " + Math.sqrt(sse / dense));
            assertTrue(rho >= 0.9, "aleatoric variance ranked like the true noise variance: Spearman " + rho);
            assertTrue(farEpi >= 5 * denseEpi, "epistemic variance beyond the data " + farEpi + " vs dense " + denseEpi);
        }
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }

    static double sd(double[] v) {
        double m = mean(v), s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / v.length);
    }

    /** Spearman's rank correlation (no ties among continuous values). */
    static double spearman(double[] a, double[] b) {
        double[] ra = ranks(a), rb = ranks(b);
        double ma = mean(ra), mb = mean(rb), num = 0, da = 0, db = 0;
        for (int i = 0; i < a.length; i++) {
            num += (ra[i] - ma) * (rb[i] - mb);
            da += (ra[i] - ma) * (ra[i] - ma);
            db += (rb[i] - mb) * (rb[i] - mb);
        }
        return num / Math.sqrt(da * db);
    }

    static double[] ranks(double[] v) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < v.length; i++) idx[i] = i;
        java.util.Arrays.sort(idx, (x, y) -> Double.compare(v[x], v[y]));
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) r[idx[i]] = i;
        return r;
    }
}
