package io.bnn4j.uncertainty;

/** The standard normal distribution's CDF and quantile, for prediction intervals and their coverage. */
public final class Gaussians {

    private Gaussians() {}

    /**
     * Φ(x), from the complementary error function's Chebyshev-fitted approximation
     * (Numerical Recipes' erfcc: fractional error below 1.2e-7 everywhere).
     */
    public static double cdf(double x) {
        return 0.5 * erfc(-x / Math.sqrt(2));
    }

    static double erfc(double x) {
        double z = Math.abs(x), t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    /** Φ⁻¹(p) for p in (0, 1), by bisection of {@link #cdf} to 1e-12 (exact enough for interval levels). */
    public static double quantile(double p) {
        if (!(p > 0 && p < 1)) throw new IllegalArgumentException("p must be in (0, 1), got " + p);
        double lo = -40, hi = 40;
        for (int i = 0; i < 200 && hi - lo > 1e-12; i++) {
            double mid = 0.5 * (lo + hi);
            if (cdf(mid) < p) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    /** The half-width, in standard deviations, of the central interval holding {@code level} of a normal: Φ⁻¹((1 + level)/2). */
    public static double halfWidth(double level) {
        if (!(level > 0 && level < 1)) throw new IllegalArgumentException("the interval level must be in (0, 1), got " + level);
        return quantile(0.5 * (1 + level));
    }
}
