package io.bnn4j.train;

/**
 * The loss became NaN or infinite. Thrown before the parameters are updated with it, so the
 * model holds the parameters of the last good step; callers keep their last good checkpoint.
 */
public final class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
