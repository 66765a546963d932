package io.bnn4j.uncertainty;

import java.util.List;

/**
 * How good and how honest regression predictions are, for one target: RMSE of the mean, the
 * Gaussian NLL under the predictive variance, and for each interval level the coverage (the
 * fraction of targets inside mean ± Φ⁻¹((1 + level)/2)·√variance; well calibrated when it equals
 * the level) and the interval's mean width. Accumulates one (target, mean, variance) at a time.
 */
public final class RegressionMetrics {

    /** The levels reported: 50, 80, 90 and 95%. */
    public static final List<Double> LEVELS = List.of(0.5, 0.8, 0.9, 0.95);
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final double[] halfWidths = LEVELS.stream().mapToDouble(Gaussians::halfWidth).toArray();
    private final long[] inside = new long[LEVELS.size()];
    private final double[] widthSum = new double[LEVELS.size()];
    private double sse, nll;
    private long n;

    /** @param coverage at {@link #LEVELS}, and the mean interval width at each */
    public record Result(long n, double rmse, double nll, double[] coverage, double[] width) {
        public double coverage(double level) {
            int i = LEVELS.indexOf(level);
            if (i < 0) throw new IllegalArgumentException("coverage is measured at the levels " + LEVELS + ", not " + level);
            return coverage[i];
        }
    }

    public void add(double target, double mean, double variance) {
        if (!(variance > 0) || !Double.isFinite(variance) || !Double.isFinite(mean) || !Double.isFinite(target)) {
            throw new IllegalArgumentException("need a finite target and mean and a positive variance, got " + target + ", " + mean + ", " + variance);
        }
        double r = target - mean, sd = Math.sqrt(variance);
        sse += r * r;
        nll += 0.5 * (LOG_2PI + Math.log(variance) + r * r / variance);
        for (int l = 0; l < halfWidths.length; l++) {
            if (Math.abs(r) <= halfWidths[l] * sd) inside[l]++;
            widthSum[l] += 2 * halfWidths[l] * sd;
        }
        n++;
    }

    public Result result() {
        double[] cov = new double[inside.length], width = new double[inside.length];
        for (int l = 0; l < cov.length; l++) {
            cov[l] = n == 0 ? Double.NaN : (double) inside[l] / n;
            width[l] = n == 0 ? Double.NaN : widthSum[l] / n;
        }
        return new Result(n, n == 0 ? Double.NaN : Math.sqrt(sse / n), n == 0 ? Double.NaN : nll / n, cov, width);
    }
}
