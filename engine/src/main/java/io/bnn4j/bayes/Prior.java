package io.bnn4j.bayes;

/**
 * The prior p(w) on every weight and bias of a Bayesian model.
 *
 * <ul>
 *   <li>{@link Gaussian}: N(μ_p, σ_p²), the default N(0, 0.1²); its KL has a closed form.</li>
 *   <li>{@link ScaleMixture}: Blundell et al.'s π·N(0, σ1²) + (1 − π)·N(0, σ2²); its KL is
 *       the Monte-Carlo estimate log q(w) − log p(w) on sampled weights.</li>
 * </ul>
 */
public sealed interface Prior permits Prior.Gaussian, Prior.ScaleMixture {

    /** The default prior, N(0, 0.1²). */
    static Gaussian defaultPrior() {
        return new Gaussian(0.0, 0.1);
    }

    /** N(0, sigma²). */
    static Gaussian gaussian(double sigma) {
        return new Gaussian(0.0, sigma);
    }

    /** Blundell et al.'s mixture with π = 0.5, σ1 = 1, σ2 = e^−6. */
    static ScaleMixture blundell() {
        return new ScaleMixture(0.5, 1.0, Math.exp(-6));
    }

    /** N(mu, sigma²). */
    record Gaussian(double mu, double sigma) implements Prior {
        public Gaussian {
            if (!(sigma > 0) || !Double.isFinite(sigma)) throw new IllegalArgumentException("prior sigma must be > 0 and finite, got " + sigma);
            if (!Double.isFinite(mu)) throw new IllegalArgumentException("prior mean must be finite, got " + mu);
        }
    }

    /** π·N(0, σ1²) + (1 − π)·N(0, σ2²). */
    record ScaleMixture(double pi, double sigma1, double sigma2) implements Prior {
        private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

        public ScaleMixture {
            if (!(pi > 0 && pi < 1)) throw new IllegalArgumentException("mixture weight pi must be in (0, 1), got " + pi);
            if (!(sigma1 > 0) || !(sigma2 > 0) || !Double.isFinite(sigma1) || !Double.isFinite(sigma2)) {
                throw new IllegalArgumentException("mixture sigmas must be > 0 and finite, got " + sigma1 + ", " + sigma2);
            }
        }

        /** log p(w), by log-sum-exp of the two components (stable for any w). */
        public double logDensity(double w) {
            double a = Math.log(pi) - Math.log(sigma1) - HALF_LOG_2PI - w * w / (2 * sigma1 * sigma1);
            double b = Math.log1p(-pi) - Math.log(sigma2) - HALF_LOG_2PI - w * w / (2 * sigma2 * sigma2);
            double m = Math.max(a, b);
            return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
        }

        /** d log p(w) / dw = −w · Σ_k r_k / σ_k², r_k the components' responsibilities. */
        public double dLogDensity(double w) {
            double a = Math.log(pi) - Math.log(sigma1) - w * w / (2 * sigma1 * sigma1);
            double b = Math.log1p(-pi) - Math.log(sigma2) - w * w / (2 * sigma2 * sigma2);
            double m = Math.max(a, b);
            double ea = Math.exp(a - m), eb = Math.exp(b - m);
            double ra = ea / (ea + eb), rb = eb / (ea + eb);
            return -w * (ra / (sigma1 * sigma1) + rb / (sigma2 * sigma2));
        }
    }
}
