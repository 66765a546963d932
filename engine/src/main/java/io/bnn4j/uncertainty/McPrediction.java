package io.bnn4j.uncertainty;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The Monte-Carlo predictive summary of one input: T posterior samples × C classes of network
 * outputs in, class probabilities and the uncertainty decomposition out (docs/UNCERTAINTY.md).
 *
 * <p>A mutable, reusable result: a {@code Predictor} owns one per thread and calls
 * {@link #compute(float[], int, int, Normalization)} per request. After the first call with the
 * largest T, computing allocates nothing (the T×C scratch only grows, never shrinks). Not
 * thread-safe; {@link #copy()} makes an independent snapshot to keep.
 *
 * <p>With p̂_t the normalized row of sample t (see {@link Normalization}) and logs natural
 * (nats), all in double precision:
 * <ul>
 *   <li>p̄ = (1/T) Σ_t p̂_t ({@link #probability(int)}); predicted = argmax_c p̄_c (the lowest
 *       index among exact ties); confidence = max_c p̄_c;</li>
 *   <li>entropy H[p̄] = −Σ_c p̄_c ln p̄_c, with 0·ln 0 = 0 (total predictive uncertainty);</li>
 *   <li>expected entropy E_t H[p̂_t] = (1/T) Σ_t H[p̂_t] (aleatoric part);</li>
 *   <li>mutual information I = H[p̄] − E_t H[p̂_t] (epistemic part; Depeweg et al. 2018,
 *       Gal 2016). It is ≥ 0 mathematically (entropy is concave); a negative value can only
 *       come from rounding (|I| of order 1e-16·ln C) and is clamped to 0;</li>
 *   <li>Kwon et al. 2018 ("Uncertainty quantification using Bayesian neural networks in
 *       classification"), the diagonals of their two covariance terms, per class:
 *       aleatoric_c = (1/T) Σ_t (p̂_tc − p̂_tc²), epistemic_c = (1/T) Σ_t (p̂_tc − p̄_c)²;
 *       {@link #aleatoric()} and {@link #epistemic()} are their sums over c.</li>
 * </ul>
 *
 * <p><b>Mean weights</b> ({@code --mean}, {@link #computeMean}): a single deterministic pass
 * (T = 1). Only the entropy is informative then: the formulas give expected entropy = H[p̄],
 * mutual information = 0, epistemic = 0 and aleatoric_c = p̄_c(1 − p̄_c), which is no
 * decomposition. {@link #isMeanWeights()} is true and {@link #hasUncertaintySplit()} false so
 * that callers can say so. A Monte-Carlo call with T = 1 gives the same numbers and
 * {@link #hasUncertaintySplit()} is false as well.
 */
public final class McPrediction {

    private final int classes;
    private double[] perSample;                  // p̂: (T, C) row-major, grows to the largest T seen
    private final double[] mean;                 // p̄: (C)
    private final double[] aleatoricPerClass;    // (C)
    private final double[] epistemicPerClass;    // (C)

    private int samples;
    private boolean meanWeights;
    private int predicted = -1;
    private double confidence = Double.NaN;
    private double entropy = Double.NaN;
    private double expectedEntropy = Double.NaN;
    private double mutualInformation = Double.NaN;
    private double aleatoric = Double.NaN;
    private double epistemic = Double.NaN;

    /** A result for {@code classes} classes, with scratch for up to 1 sample (it grows on demand). */
    public McPrediction(int classes) {
        this(classes, 1);
    }

    /** A result for {@code classes} classes with scratch for {@code maxSamples} samples already allocated. */
    public McPrediction(int classes, int maxSamples) {
        if (classes < 1) throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        if (maxSamples < 1) throw new IllegalArgumentException("maxSamples must be >= 1, got " + maxSamples);
        if ((long) classes * maxSamples > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("samples x classes too large: " + maxSamples + " x " + classes);
        this.classes = classes;
        this.perSample = new double[classes * maxSamples];
        this.mean = new double[classes];
        this.aleatoricPerClass = new double[classes];
        this.epistemicPerClass = new double[classes];
    }

    // ---------------------------------------------------------------- computing

    /**
     * Computes the summary from T = {@code samples} rows of C values in {@code values}, row t at
     * {@code values[offset + t·C .. offset + (t+1)·C)}: outputs: (T, C) row-major.
     *
     * @return this, for chaining
     * @throws IllegalArgumentException on a range outside the array, T < 1, or a non-finite value
     *         (a NaN logit is a broken model, not an uncertain one)
     */
    public McPrediction compute(float[] values, int offset, int samples, Normalization normalization) {
        int n = checkRange(values.length, offset, samples);
        double[] p = ensureScratch(samples);
        for (int i = 0; i < n; i++) p[i] = values[offset + i];
        finish(samples, normalization, false);
        return this;
    }

    /**
     * As {@link #compute(float[], int, int, Normalization)}, reading floats from an off-heap
     * segment (e.g. a {@code Tensor}'s), starting {@code elementOffset} floats into it.
     */
    public McPrediction compute(MemorySegment segment, long elementOffset, int samples, Normalization normalization) {
        if (samples < 1) throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        long n = (long) samples * classes;
        long floats = segment.byteSize() / Float.BYTES;
        if (elementOffset < 0 || elementOffset > floats - n)
            throw new IllegalArgumentException("outputs (" + samples + " x " + classes + ") at element " + elementOffset
                    + " do not fit a segment of " + floats + " floats");
        double[] p = ensureScratch(samples);
        for (int i = 0; i < (int) n; i++) p[i] = segment.getAtIndex(ValueLayout.JAVA_FLOAT, elementOffset + i);
        finish(samples, normalization, false);
        return this;
    }

    /**
     * The {@code --mean} case: one row of C outputs from the mean weights at
     * {@code values[offset ..]}. Only the entropy is meaningful then (see the class note).
     */
    public McPrediction computeMean(float[] values, int offset, Normalization normalization) {
        checkRange(values.length, offset, 1);
        double[] p = ensureScratch(1);
        for (int c = 0; c < classes; c++) p[c] = values[offset + c];
        finish(1, normalization, true);
        return this;
    }

    private int checkRange(int length, int offset, int samples) {
        if (samples < 1) throw new IllegalArgumentException("samples must be >= 1, got " + samples);
        long n = (long) samples * classes;
        if (offset < 0 || offset > length - n)
            throw new IllegalArgumentException("outputs (" + samples + " x " + classes + ") at offset " + offset
                    + " do not fit an array of " + length);
        return (int) n;
    }

    private double[] ensureScratch(int samples) {
        long need = (long) samples * classes;
        if (need > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("samples x classes too large: " + samples + " x " + classes);
        if (perSample.length < need) perSample = new double[(int) need];
        return perSample;
    }

    /** perSample[0 .. T·C) holds the raw rows; normalizes them in place and fills every field. */
    private void finish(int samples, Normalization normalization, boolean meanWeights) {
        final int C = classes;
        double[] p = perSample;
        for (int i = 0, n = samples * C; i < n; i++) {
            if (!Double.isFinite(p[i]))
                throw new IllegalArgumentException("non-finite network output " + p[i] + " (sample " + i / C + ", class " + i % C + ")");
        }
        Arrays.fill(mean, 0.0);
        double sumSampleEntropy = 0;
        for (int t = 0; t < samples; t++) {
            int row = t * C;
            normalizeRow(p, row, normalization);
            double h = 0;
            for (int c = 0; c < C; c++) {
                double q = p[row + c];
                mean[c] += q;
                if (q > 0) h -= q * Math.log(q);
            }
            sumSampleEntropy += h;
        }
        double invT = 1.0 / samples;
        int best = 0;
        double h = 0;
        for (int c = 0; c < C; c++) {
            double m = mean[c] * invT;
            mean[c] = m;
            if (m > mean[best]) best = c;
            if (m > 0) h -= m * Math.log(m);
        }
        // Kwon et al.: per-class diagonals of E[diag(p̂) − p̂ p̂ᵀ] and E[(p̂ − p̄)(p̂ − p̄)ᵀ].
        double aleSum = 0, epiSum = 0;
        for (int c = 0; c < C; c++) {
            double a = 0, e = 0, m = mean[c];
            for (int t = 0; t < samples; t++) {
                double q = p[t * C + c];
                a += q - q * q;
                double d = q - m;
                e += d * d;
            }
            aleatoricPerClass[c] = a * invT;
            epistemicPerClass[c] = e * invT;
            aleSum += aleatoricPerClass[c];
            epiSum += epistemicPerClass[c];
        }
        this.samples = samples;
        this.meanWeights = meanWeights;
        this.predicted = best;
        this.confidence = mean[best];
        this.entropy = h;
        this.expectedEntropy = sumSampleEntropy * invT;
        // Rounding only: H[p̄] ≥ E_t H[p̂_t] by concavity (Jensen); for T = 1 the two are the same number.
        this.mutualInformation = samples == 1 ? 0.0 : Math.max(0.0, h - expectedEntropy);
        this.aleatoric = aleSum;
        this.epistemic = epiSum;
    }

    /** Turns p[row .. row + C) into a probability vector, in place. */
    private void normalizeRow(double[] p, int row, Normalization normalization) {
        final int C = classes;
        switch (normalization) {
            case SOFTMAX -> softmaxRow(p, row, C);
            case SOFTPLUS -> {
                double sum = 0;
                for (int c = 0; c < C; c++) sum += softplus(p[row + c]);
                if (sum > 0) {
                    double inv = 1.0 / sum;
                    for (int c = 0; c < C; c++) p[row + c] = softplus(p[row + c]) * inv;
                } else {
                    // Every softplus underflowed to 0: log(1 + e^z) ≈ e^z there, so softmax is the exact limit.
                    softmaxRow(p, row, C);
                }
            }
            case PROBABILITIES -> {
                double sum = 0;
                for (int c = 0; c < C; c++) {
                    double q = p[row + c];
                    if (q < 0) throw new IllegalArgumentException("negative probability " + q + " (class " + c + ")");
                    sum += q;
                }
                if (!(sum > 0)) throw new IllegalArgumentException("probabilities sum to " + sum + ", not > 0");
                double inv = 1.0 / sum;
                for (int c = 0; c < C; c++) p[row + c] *= inv;
            }
        }
    }

    /** log(1 + e^z) without overflow for large z or loss of precision for very negative z. */
    static double softplus(double z) {
        return Math.max(z, 0.0) + Math.log1p(Math.exp(-Math.abs(z)));
    }

    private static void softmaxRow(double[] p, int row, int C) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < C; c++) max = Math.max(max, p[row + c]);
        double sum = 0;
        for (int c = 0; c < C; c++) {
            double e = Math.exp(p[row + c] - max);
            p[row + c] = e;
            sum += e;
        }
        double inv = 1.0 / sum;  // sum ≥ 1: the max term is exp(0)
        for (int c = 0; c < C; c++) p[row + c] *= inv;
    }

    // ---------------------------------------------------------------- reading

    public int classes() { return classes; }

    /** T of the last computation (1 for mean weights). */
    public int samples() { return samples; }

    /** True when the last computation was {@link #computeMean} (mean weights, {@code --mean}). */
    public boolean isMeanWeights() { return meanWeights; }

    /** True when expected entropy, mutual information and the Kwon split carry information (T ≥ 2). */
    public boolean hasUncertaintySplit() { return samples >= 2 && !meanWeights; }

    /** argmax_c p̄_c (lowest index among exact ties); −1 before the first computation. */
    public int predicted() { return predicted; }

    /** max_c p̄_c. */
    public double confidence() { return confidence; }

    /** p̄_c. */
    public double probability(int c) { return mean[c]; }

    /** A fresh copy of p̄ (allocates; use {@link #copyProbabilities} on a hot path). */
    public double[] probabilities() { return mean.clone(); }

    /** Copies p̄ into dst[0 .. C). */
    public void copyProbabilities(double[] dst) { System.arraycopy(mean, 0, dst, 0, classes); }

    /** H[p̄] in nats. */
    public double entropy() { return entropy; }

    /** E_t H[p̂_t] in nats. */
    public double expectedEntropy() { return expectedEntropy; }

    /** H[p̄] − E_t H[p̂_t] in nats, clamped at 0 against rounding; 0 for T = 1. */
    public double mutualInformation() { return mutualInformation; }

    /** Σ_c aleatoric_c (Kwon et al.). */
    public double aleatoric() { return aleatoric; }

    /** Σ_c epistemic_c (Kwon et al.). */
    public double epistemic() { return epistemic; }

    public double aleatoric(int c) { return aleatoricPerClass[c]; }

    public double epistemic(int c) { return epistemicPerClass[c]; }

    /** A fresh copy of aleatoric_c for every class. */
    public double[] aleatoricPerClass() { return aleatoricPerClass.clone(); }

    /** A fresh copy of epistemic_c for every class. */
    public double[] epistemicPerClass() { return epistemicPerClass.clone(); }

    /** 1 − confidence: the simplest out-of-distribution score. */
    public double oneMinusConfidence() { return 1.0 - confidence; }

    /** An independent snapshot of the results (scratch sized for one sample). */
    public McPrediction copy() {
        McPrediction c = new McPrediction(classes, 1);
        System.arraycopy(mean, 0, c.mean, 0, classes);
        System.arraycopy(aleatoricPerClass, 0, c.aleatoricPerClass, 0, classes);
        System.arraycopy(epistemicPerClass, 0, c.epistemicPerClass, 0, classes);
        c.samples = samples;
        c.meanWeights = meanWeights;
        c.predicted = predicted;
        c.confidence = confidence;
        c.entropy = entropy;
        c.expectedEntropy = expectedEntropy;
        c.mutualInformation = mutualInformation;
        c.aleatoric = aleatoric;
        c.epistemic = epistemic;
        return c;
    }

    @Override
    public String toString() {
        return "McPrediction[T=" + samples + (meanWeights ? " (mean weights)" : "") + ", predicted=" + predicted
                + ", confidence=" + confidence + ", entropy=" + entropy + ", mutualInformation=" + mutualInformation
                + ", aleatoric=" + aleatoric + ", epistemic=" + epistemic + "]";
    }
}
