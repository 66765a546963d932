package io.bnn4j.prune;

/**
 * One model's figures in a pruning report (docs/PRUNING.md).
 *
 * @param parameters     means not removed by a mask (weights and biases): the report's "parameters"
 * @param learnedValues  learned values not removed: parameters plus their ρ (Bayesian), = parameters otherwise
 * @param weightSparsity fraction of conv/dense weights removed by masks (biases excluded)
 * @param fileBytes      size of the model file ModelStore writes for it (sparse encodings included)
 * @param accuracy       test accuracy of the mean softmax over {@code samples} posterior samples
 * @param nll            mean negative log-likelihood (nats) of that mean softmax
 * @param ece            expected calibration error, 15 bins
 * @param aurocEntropy   AUROC of telling the OOD set from the test set by predictive entropy; NaN without OOD data
 * @param latencyMs      median single-image latency with {@code samples} samples, one thread
 * @param samples        Monte-Carlo samples used for every figure above
 */
public record Measurement(long parameters, long learnedValues, double weightSparsity, long fileBytes, double accuracy,
                          double nll, double ece, double aurocEntropy, double latencyMs, int samples) {
}
