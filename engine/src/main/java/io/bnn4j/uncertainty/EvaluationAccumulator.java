package io.bnn4j.uncertainty;

import java.util.ArrayList;
import java.util.List;

/**
 * Accumulates the evaluation of a classifier's mean predictive distribution p̄ over a labelled
 * set, one example at a time or in arrays, in O(C + bins) memory; {@link #result()} gives the
 * {@link EvaluationResult}. Accumulators of disjoint parts {@link #merge} into the whole (for
 * parallel evaluation). Not thread-safe.
 *
 * <p>Conventions (docs/UNCERTAINTY.md):
 * <ul>
 *   <li>predicted = argmax p̄ (lowest index among exact ties), confidence = max p̄;</li>
 *   <li>NLL uses natural logs and clamps p̄_label at {@link #PROBABILITY_FLOOR} = 1e-12, so one
 *       example contributes at most −ln 1e-12 ≈ 27.6 nats instead of infinity;</li>
 *   <li>Brier = Σ_c (p̄_c − onehot_c)², summed over classes (Brier 1950), averaged over examples;</li>
 *   <li>calibration bins: B equal-width bins (default {@link #DEFAULT_BINS} = 15), bin i holds
 *       confidences in (i/B, (i+1)/B], and confidence 0 goes to bin 0;
 *       ECE = Σ_b (n_b/N)·|acc_b − conf_b|.</li>
 * </ul>
 * Probability vectors are used as given (they should sum to 1; entries must be finite).
 */
public final class EvaluationAccumulator {

    /** The number of equal-width confidence bins of docs/UNCERTAINTY.md. */
    public static final int DEFAULT_BINS = 15;
    /** p̄_label is clamped below at this value inside the NLL's logarithm. */
    public static final double PROBABILITY_FLOOR = 1e-12;

    private final int classes;
    private final int bins;
    private long n;
    private long correct;
    private double sumNll;
    private double sumBrier;
    private final long[] binCount;          // (bins)
    private final long[] binCorrect;        // (bins)
    private final double[] binConfidence;   // (bins): Σ confidence
    private final long[] classCount;        // (C): examples per true label
    private final long[] classCorrect;      // (C)

    public EvaluationAccumulator(int classes) {
        this(classes, DEFAULT_BINS);
    }

    public EvaluationAccumulator(int classes, int bins) {
        if (classes < 1) throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        if (bins < 1) throw new IllegalArgumentException("bins must be >= 1, got " + bins);
        this.classes = classes;
        this.bins = bins;
        this.binCount = new long[bins];
        this.binCorrect = new long[bins];
        this.binConfidence = new double[bins];
        this.classCount = new long[classes];
        this.classCorrect = new long[classes];
    }

    public int classes() { return classes; }

    public int bins() { return bins; }

    public long count() { return n; }

    /**
     * The bin of a confidence among {@code bins} equal-width bins: i such that confidence is in
     * (i/bins, (i+1)/bins], 0 for confidence 0 (and below), bins − 1 above 1. Edges are the
     * doubles i/(double) bins, compared exactly, so 1/15 falls in bin 0 and not bin 1.
     */
    public static int binOf(double confidence, int bins) {
        if (!(confidence > 0)) return 0;
        if (confidence >= 1) return bins - 1;
        int i = (int) Math.ceil(confidence * bins) - 1;      // may be off by one through rounding
        if (i > 0 && confidence <= (double) i / bins) i--;
        else if (i < bins - 1 && confidence > (double) (i + 1) / bins) i++;
        return Math.max(0, Math.min(bins - 1, i));
    }

    /** Adds one example: p̄ in probs[0 .. C), its true label. */
    public void add(double[] probs, int label) {
        if (probs.length < classes) throw new IllegalArgumentException("probabilities have " + probs.length + " entries, expected " + classes);
        checkLabel(label);
        int best = 0;
        double brier = 0;
        for (int c = 0; c < classes; c++) {
            double q = probs[c];
            if (!Double.isFinite(q)) throw new IllegalArgumentException("non-finite probability " + q + " (class " + c + ")");
            if (q > probs[best]) best = c;
            double d = q - (c == label ? 1.0 : 0.0);
            brier += d * d;
        }
        record(best, probs[best], probs[label], brier, label);
    }

    /** Adds one example: p̄ in probs[offset .. offset + C), its true label. */
    public void add(float[] probs, int offset, int label) {
        if (offset < 0 || offset > probs.length - classes)
            throw new IllegalArgumentException("probabilities at offset " + offset + " do not fit an array of " + probs.length);
        checkLabel(label);
        int best = 0;
        double brier = 0;
        for (int c = 0; c < classes; c++) {
            double q = probs[offset + c];
            if (!Double.isFinite(q)) throw new IllegalArgumentException("non-finite probability " + q + " (class " + c + ")");
            if (q > probs[offset + best]) best = c;
            double d = q - (c == label ? 1.0 : 0.0);
            brier += d * d;
        }
        record(best, probs[offset + best], probs[offset + label], brier, label);
    }

    /** Adds one example from a Monte-Carlo summary (its p̄), allocation-free. */
    public void add(McPrediction prediction, int label) {
        if (prediction.classes() != classes)
            throw new IllegalArgumentException("prediction has " + prediction.classes() + " classes, expected " + classes);
        if (prediction.predicted() < 0) throw new IllegalArgumentException("prediction was never computed");
        checkLabel(label);
        double brier = 0;
        for (int c = 0; c < classes; c++) {
            double d = prediction.probability(c) - (c == label ? 1.0 : 0.0);
            brier += d * d;
        }
        record(prediction.predicted(), prediction.confidence(), prediction.probability(label), brier, label);
    }

    /** Adds N examples: probs: (N, C) row-major, labels: (N). */
    public void addAll(float[] probs, int[] labels) {
        if ((long) labels.length * classes != probs.length)
            throw new IllegalArgumentException("probabilities have " + probs.length + " entries, expected "
                    + labels.length + " x " + classes);
        for (int i = 0; i < labels.length; i++) add(probs, i * classes, labels[i]);
    }

    /** Adds N examples: probs: (N, C) row-major, labels: (N). */
    public void addAll(double[] probs, int[] labels) {
        if ((long) labels.length * classes != probs.length)
            throw new IllegalArgumentException("probabilities have " + probs.length + " entries, expected "
                    + labels.length + " x " + classes);
        double[] row = new double[classes];
        for (int i = 0; i < labels.length; i++) {
            System.arraycopy(probs, i * classes, row, 0, classes);
            add(row, labels[i]);
        }
    }

    private void checkLabel(int label) {
        if (label < 0 || label >= classes)
            throw new IllegalArgumentException("label " + label + " outside 0.." + (classes - 1));
    }

    private void record(int predicted, double confidence, double pLabel, double brier, int label) {
        boolean ok = predicted == label;
        n++;
        if (ok) correct++;
        sumNll -= Math.log(Math.max(pLabel, PROBABILITY_FLOOR));
        sumBrier += brier;
        int b = binOf(confidence, bins);
        binCount[b]++;
        if (ok) binCorrect[b]++;
        binConfidence[b] += confidence;
        classCount[label]++;
        if (ok) classCorrect[label]++;
    }

    /** Adds another accumulator's examples to this one (same classes and bins). */
    public void merge(EvaluationAccumulator other) {
        if (other.classes != classes || other.bins != bins)
            throw new IllegalArgumentException("cannot merge " + other.classes + " classes / " + other.bins
                    + " bins into " + classes + " / " + bins);
        n += other.n;
        correct += other.correct;
        sumNll += other.sumNll;
        sumBrier += other.sumBrier;
        for (int b = 0; b < bins; b++) {
            binCount[b] += other.binCount[b];
            binCorrect[b] += other.binCorrect[b];
            binConfidence[b] += other.binConfidence[b];
        }
        for (int c = 0; c < classes; c++) {
            classCount[c] += other.classCount[c];
            classCorrect[c] += other.classCorrect[c];
        }
    }

    /** The metrics of the examples added so far (NaN everywhere for none). */
    public EvaluationResult result() {
        List<ReliabilityBin> list = new ArrayList<>(bins);
        double ece = 0;
        for (int b = 0; b < bins; b++) {
            long k = binCount[b];
            double acc = k == 0 ? Double.NaN : (double) binCorrect[b] / k;
            double conf = k == 0 ? Double.NaN : binConfidence[b] / k;
            list.add(new ReliabilityBin((double) b / bins, (double) (b + 1) / bins, k, acc, conf));
            if (k > 0) ece += (double) k / n * Math.abs(acc - conf);
        }
        double[] classAcc = new double[classes];
        for (int c = 0; c < classes; c++)
            classAcc[c] = classCount[c] == 0 ? Double.NaN : (double) classCorrect[c] / classCount[c];
        if (n == 0) {
            return new EvaluationResult(0, classes, Double.NaN, Double.NaN, Double.NaN, Double.NaN, list, classCount, classAcc);
        }
        return new EvaluationResult(n, classes, (double) correct / n, sumNll / n, sumBrier / n, ece,
                list, classCount, classAcc);
    }
}
