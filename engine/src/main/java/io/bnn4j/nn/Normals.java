package io.bnn4j.nn;

/** The standard normal distribution's CDF and quantile, in double. */
final class Normals {

    private Normals() {}

    /** Φ(x) = erfc(−x/√2)/2, erfc by its continued-fraction-free Chebyshev fit (relative error < 1.2e-7). */
    static double cdf(double x) {
        return 0.5 * erfc(-x / Math.sqrt(2));
    }

    /** Φ⁻¹(p) for p in (0, 1), by bisection on {@link #cdf} (p = 0 gives −∞). */
    static double quantile(double p) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("probability must be in [0, 1), got " + p);
        if (p == 0) return Double.NEGATIVE_INFINITY;
        double lo = -40, hi = 40;
        for (int i = 0; i < 200 && hi - lo > 1e-12; i++) {
            double mid = 0.5 * (lo + hi);
            if (cdf(mid) < p) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    /** Numerical Recipes' erfc (Chebyshev fit, fractional error < 1.2e-7 everywhere). */
    static double erfc(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
