package io.bnn4j.train;

/**
 * Reduce-on-plateau of the learning rate on the validation NLL: when it has not improved
 * (by a relative 1e-4) for more than {@code patience} epochs, lr = max(minLr, lr·factor).
 */
public record Plateau(double factor, int patience, double minLr) implements LrSchedule {
    public Plateau {
        if (!(factor > 0 && factor < 1)) throw new IllegalArgumentException("plateau factor must be in (0, 1), got " + factor);
        if (patience < 0) throw new IllegalArgumentException("plateau patience must be >= 0, got " + patience);
        if (!(minLr >= 0)) throw new IllegalArgumentException("minimum learning rate must be >= 0, got " + minLr);
    }
}
