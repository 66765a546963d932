package io.bnn4j.train;

/**
 * How a Bayesian model's posterior starts.
 * <ul>
 *   <li>{@link Random}: μ ~ N(0, 0.1²), ρ ~ N(−5, 0.1²) (σ ≈ 0.0067), from the seed.</li>
 *   <li>{@link Moped}: MOPED (Krishnan et al. 2020): the frequentist twin of the model is
 *       trained first for {@code epochs} epochs on the same split, then μ = w and σ = δ·|w|
 *       (at least {@link Moped#SIGMA_FLOOR}) for every weight and bias.</li>
 * </ul>
 */
public sealed interface Init permits Init.Random, Init.Moped {

    /**
     * The initialisation a command line spells: {@code random}, {@code moped} (δ {@code delta}) or
     * {@code moped:DELTA}; MOPED's twin trains for {@code pretrainEpochs}.
     *
     * @throws IllegalArgumentException naming the accepted spellings
     */
    static Init parse(String value, double delta, int pretrainEpochs, boolean centerPrior) {
        if (value.equals("random")) return new Random();
        if (value.equals("moped")) return new Moped(delta, pretrainEpochs, centerPrior);
        if (value.startsWith("moped:")) {
            try {
                double d = Double.parseDouble(value.substring("moped:".length()));
                if (d > 0 && d <= 1) return new Moped(d, pretrainEpochs, centerPrior);
            } catch (NumberFormatException ignored) {
                // falls through to the message
            }
        }
        throw new IllegalArgumentException("'" + value + "' is not random, moped or moped:DELTA with DELTA in (0, 1]");
    }

    /** The seeded random initialisation. */
    record Random() implements Init {}

    /**
     * @param delta       σ = δ·|w|, δ in (0, 1]
     * @param epochs      epochs of the frequentist twin before the Bayesian ones, ≥ 1
     * @param centerPrior empirical Bayes: each weight's Gaussian prior centred on its twin's
     *                    value, N(w_i, σ_p²), instead of N(0, σ_p²)
     */
    record Moped(double delta, int epochs, boolean centerPrior) implements Init {
        /** σ of a weight whose twin is (nearly) zero: keeps log σ and the KL finite. */
        public static final double SIGMA_FLOOR = 1e-4;

        public Moped {
            if (!(delta > 0 && delta <= 1)) throw new IllegalArgumentException("MOPED delta must be in (0, 1], got " + delta);
            if (epochs < 1) throw new IllegalArgumentException("MOPED pre-training epochs must be >= 1, got " + epochs);
        }

        /** MOPED with the prior left at its own mean. */
        public Moped(double delta, int epochs) {
            this(delta, epochs, false);
        }
    }
}
