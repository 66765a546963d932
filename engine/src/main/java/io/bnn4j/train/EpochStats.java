package io.bnn4j.train;

/**
 * One epoch's figures (the CLI prints them as JSON).
 *
 * @param epoch             1-based
 * @param loss              mean over minibatches of (mean NLL + w_i·KL/N)
 * @param nll               mean over minibatches of the mean NLL
 * @param kl                mean over minibatches of the (unweighted) KL
 * @param beta              mean over minibatches of w_i
 * @param trainAccuracy     accuracy of the training forward passes (noisy, during training)
 * @param validAccuracy     on the validation split; NaN when there is none
 * @param validNll          mean NLL on the validation split; NaN when there is none
 * @param validSamples      how the validation figures were computed: 0 = posterior means,
 *                          T > 0 = mean of the softmax over T Monte-Carlo samples
 * @param seconds           wall time of the epoch, validation included
 * @param imagesPerSecond   training images / training time (validation excluded)
 * @param lr                learning rate used in this epoch
 * @param pretraining       true for an epoch of the frequentist twin before MOPED initialisation
 *                          (its epochs count from 1 again and are not part of {@code epochs})
 */
public record EpochStats(int epoch, double loss, double nll, double kl, double beta, double trainAccuracy,
                         double validAccuracy, double validNll, int validSamples, double seconds,
                         double imagesPerSecond, double lr, boolean pretraining) {
}
