package io.bnn4j.bayes;

/**
 * The KL weight w_i of minibatch i (1-based) of M in an epoch: loss_i = mean NLL + w_i·KL/N.
 */
public sealed interface BetaSchedule permits BetaSchedule.Standard, BetaSchedule.Blundell, BetaSchedule.Warmup,
        BetaSchedule.Constant {

    /**
     * @param batch      minibatch index i, 1..numBatches
     * @param numBatches M, the minibatches in the epoch
     * @param epoch      the epoch, 1-based
     */
    double weight(int batch, int numBatches, int epoch);

    /** w = 1: every minibatch loss is an unbiased estimate of −ELBO/N. */
    record Standard() implements BetaSchedule {
        @Override
        public double weight(int batch, int numBatches, int epoch) {
            check(batch, numBatches, epoch);
            return 1.0;
        }
    }

    /**
     * w_i = M·2^(M−i)/(2^M − 1) = M·2^(−i)/(1 − 2^(−M)), evaluated in log space so that no
     * intermediate overflows (2^M overflows a double for M > 1023); Σ_i w_i = M.
     */
    record Blundell() implements BetaSchedule {
        private static final double LN2 = Math.log(2.0);

        @Override
        public double weight(int batch, int numBatches, int epoch) {
            check(batch, numBatches, epoch);
            double logW = Math.log(numBatches) - batch * LN2 - Math.log1p(-Math.exp(-numBatches * LN2));
            return Math.exp(logW);
        }
    }

    /** w = min(1, epoch / warmupEpochs), the epoch counted from 1 (Sønderby et al.). */
    record Warmup(int warmupEpochs) implements BetaSchedule {
        public Warmup {
            if (warmupEpochs < 1) throw new IllegalArgumentException("warm-up epochs must be >= 1, got " + warmupEpochs);
        }

        @Override
        public double weight(int batch, int numBatches, int epoch) {
            check(batch, numBatches, epoch);
            return Math.min(1.0, (double) epoch / warmupEpochs);
        }
    }

    /** A constant w. */
    record Constant(double value) implements BetaSchedule {
        public Constant {
            if (!(value >= 0) || !Double.isFinite(value)) throw new IllegalArgumentException("constant beta must be >= 0 and finite, got " + value);
        }

        @Override
        public double weight(int batch, int numBatches, int epoch) {
            check(batch, numBatches, epoch);
            return value;
        }
    }

    /**
     * The schedule a command line spells: {@code standard}, {@code blundell}, {@code warmup}
     * (over half of {@code epochs}, at least 1), {@code warmup:EPOCHS}, or a constant number ≥ 0.
     *
     * @throws IllegalArgumentException naming the accepted spellings
     */
    static BetaSchedule parse(String value, int epochs) {
        switch (value) {
            case "standard": return new Standard();
            case "blundell": return new Blundell();
            case "warmup": return new Warmup(Math.max(1, epochs / 2));
            default:
        }
        String expected = "'" + value + "' is not standard, blundell, warmup, warmup:EPOCHS or a number >= 0";
        if (value.startsWith("warmup:")) {
            try {
                int n = Integer.parseInt(value.substring("warmup:".length()));
                if (n >= 1) return new Warmup(n);
            } catch (NumberFormatException ignored) {
                // falls through to the message
            }
            throw new IllegalArgumentException(expected + " (warmup:EPOCHS needs EPOCHS >= 1)");
        }
        // Double.parseDouble would also take "1d", "0x1p3" and "Infinity": only plain decimals
        if (value.matches("[0-9]*\\.?[0-9]+([eE][-+]?[0-9]+)?|[0-9]+\\.")) {
            double w = Double.parseDouble(value);
            if (Double.isFinite(w)) return new Constant(w);
        }
        throw new IllegalArgumentException(expected);
    }

    private static void check(int batch, int numBatches, int epoch) {
        if (numBatches < 1 || batch < 1 || batch > numBatches || epoch < 1) {
            throw new IllegalArgumentException("minibatch " + batch + " of " + numBatches + " in epoch " + epoch);
        }
    }
}
