package io.bnn4j.train;

/**
 * Accuracy and NLL of a model on labelled examples.
 *
 * @param samples 0 = one pass with the posterior means; T = mean of the softmax over T samples
 * @param nll     mean of −log p̄(label)
 */
public record Evaluation(int n, int samples, double accuracy, double nll) {
}
