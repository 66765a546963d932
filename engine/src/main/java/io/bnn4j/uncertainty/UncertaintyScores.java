package io.bnn4j.uncertainty;

import java.util.Arrays;

/**
 * The per-input uncertainty scores of one set of inputs (in- or out-of-distribution), kept for
 * {@link OodMetrics} and the histograms of {@code plot.OodHistograms}: predictive entropy H[p̄],
 * mutual information, and 1 − max p̄. Higher means "more uncertain" for all three. Grows by
 * doubling; amortized allocation-free. Not thread-safe.
 */
public final class UncertaintyScores {

    private double[] entropy = new double[64];
    private double[] mutualInformation = new double[64];
    private double[] oneMinusConfidence = new double[64];
    private int size;

    /** Records one input's scores from its Monte-Carlo summary. */
    public void add(McPrediction prediction) {
        if (prediction.predicted() < 0) throw new IllegalArgumentException("prediction was never computed");
        add(prediction.entropy(), prediction.mutualInformation(), prediction.confidence());
    }

    /** Records one input's scores: its entropy, mutual information and confidence (max p̄). */
    public void add(double entropy, double mutualInformation, double confidence) {
        if (!Double.isFinite(entropy) || !Double.isFinite(mutualInformation) || !Double.isFinite(confidence))
            throw new IllegalArgumentException("non-finite score: entropy " + entropy + ", mutual information "
                    + mutualInformation + ", confidence " + confidence);
        if (size == this.entropy.length) {
            int cap = Math.multiplyExact(size, 2);
            this.entropy = Arrays.copyOf(this.entropy, cap);
            this.mutualInformation = Arrays.copyOf(this.mutualInformation, cap);
            this.oneMinusConfidence = Arrays.copyOf(this.oneMinusConfidence, cap);
        }
        this.entropy[size] = entropy;
        this.mutualInformation[size] = mutualInformation;
        this.oneMinusConfidence[size] = 1.0 - confidence;
        size++;
    }

    /** Appends all of another set's scores. */
    public void addAll(UncertaintyScores other) {
        for (int i = 0; i < other.size; i++)
            add(other.entropy[i], other.mutualInformation[i], 1.0 - other.oneMinusConfidence[i]);
    }

    public int size() { return size; }

    /** A copy of the predictive entropies, in insertion order. */
    public double[] entropy() { return Arrays.copyOf(entropy, size); }

    /** A copy of the mutual informations, in insertion order. */
    public double[] mutualInformation() { return Arrays.copyOf(mutualInformation, size); }

    /** A copy of the 1 − confidence scores, in insertion order. */
    public double[] oneMinusConfidence() { return Arrays.copyOf(oneMinusConfidence, size); }

    /** A copy of the scores of one kind. */
    public double[] scores(OodScore score) {
        return switch (score) {
            case ENTROPY -> entropy();
            case MUTUAL_INFORMATION -> mutualInformation();
            case ONE_MINUS_CONFIDENCE -> oneMinusConfidence();
        };
    }
}
