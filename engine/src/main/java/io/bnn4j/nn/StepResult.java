package io.bnn4j.nn;

/**
 * What one training step measured, before the parameter update.
 *
 * @param nll     mean over the batch of the per-image NLL (log-mean-exp over the T samples)
 * @param kl      KL(q‖p) (or the reverse / Monte-Carlo variant) summed over all unmasked parameters
 * @param klScale the factor w_i/N the KL entered the loss with
 * @param correct images whose argmax of the mean softmax equals the label
 * @param batch   images in the batch
 */
public record StepResult(double nll, double kl, double klScale, int correct, int batch) {

    /** The minibatch loss: mean NLL + w_i·KL/N. */
    public double loss() {
        return nll + klScale * kl;
    }
}
