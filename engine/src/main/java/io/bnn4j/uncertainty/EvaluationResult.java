package io.bnn4j.uncertainty;

import java.util.List;

/**
 * Metrics of a classifier's mean predictive distribution p̄ over a labelled set, from
 * {@link EvaluationAccumulator#result()}. Every value is NaN when {@code n} is 0.
 *
 * @param n               the number of examples
 * @param classes         C
 * @param accuracy        fraction with argmax p̄ = label
 * @param nll             mean of −ln max(p̄_label, {@link EvaluationAccumulator#PROBABILITY_FLOOR}) (nats)
 * @param brier           mean over examples of Σ_c (p̄_c − 1[c = label])²: the multi-class
 *                        Brier score summed over classes (Brier 1950), in [0, 2]
 * @param ece             expected calibration error Σ_b (n_b / n)·|acc_b − conf_b| over the
 *                        equal-width confidence bins (Naeini et al. 2015; Guo et al. 2017)
 * @param bins            the reliability diagram's bins, lowest confidence first
 * @param classCounts     how many examples carry each label
 * @param classAccuracy   per true class: the fraction of its examples predicted correctly
 *                        (the class's recall); NaN for a class with no example
 */
public record EvaluationResult(long n, int classes, double accuracy, double nll, double brier, double ece,
                               List<ReliabilityBin> bins, long[] classCounts, double[] classAccuracy) {

    public EvaluationResult {
        bins = List.copyOf(bins);
        classCounts = classCounts.clone();
        classAccuracy = classAccuracy.clone();
    }

    /** A copy of the per-class example counts. */
    @Override
    public long[] classCounts() { return classCounts.clone(); }

    /** A copy of the per-class accuracies. */
    @Override
    public double[] classAccuracy() { return classAccuracy.clone(); }

    /** Maximum calibration error: the largest |acc_b − conf_b| over non-empty bins (0 if none). */
    public double mce() {
        double m = 0;
        for (ReliabilityBin b : bins) m = Math.max(m, b.gap());
        return m;
    }
}
