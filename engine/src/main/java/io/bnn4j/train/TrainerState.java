package io.bnn4j.train;

/**
 * The trainer's resumable state, besides the model's tensors (μ, ρ, masks and the optimizer's
 * moments {@code Model.optimizerFirstMoment()/optimizerSecondMoment()}).
 *
 * @param epoch         epochs completed
 * @param step          optimizer steps taken: the Adam bias-correction count and the counter
 *                      of the training noise (the next step uses step + 1 for Adam, step for noise)
 * @param lr            the current learning rate (after any plateau reductions)
 * @param bestValidNll  best validation NLL so far (+∞ before any)
 * @param badEpochs     epochs since the last improvement (for the plateau rule)
 */
public record TrainerState(int epoch, long step, double lr, double bestValidNll, int badEpochs) {
    public TrainerState {
        if (epoch < 0 || step < 0 || !(lr > 0) || badEpochs < 0) {
            throw new IllegalArgumentException("invalid trainer state: epoch " + epoch + ", step " + step + ", lr " + lr + ", bad epochs " + badEpochs);
        }
    }

    public static TrainerState initial(double lr) {
        return new TrainerState(0, 0, lr, Double.POSITIVE_INFINITY, 0);
    }
}
