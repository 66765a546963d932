package io.bnn4j.uncertainty;

import java.util.Arrays;

/**
 * Separation of out-of-distribution (OOD) from in-distribution inputs by a score. Convention:
 * <b>OOD is the positive class and a higher score means more likely OOD</b> (entropy, mutual
 * information, 1 − confidence all grow with uncertainty).
 *
 * <ul>
 *   <li>{@link #auroc}: the area under the ROC curve, computed as the Mann-Whitney statistic
 *       AUROC = P(s_ood > s_in) + ½·P(s_ood = s_in) over all (in, ood) pairs: ties count ½,
 *       which equals the trapezoidal area of the ROC curve whose thresholds are the distinct
 *       scores. 1 = perfect separation, 0.5 = chance, 0 = perfectly reversed.</li>
 *   <li>{@link #averagePrecision} (AUPR): Σ_k (R_k − R_{k−1})·P_k over the distinct scores
 *       taken as thresholds from the highest down ("score ≥ threshold" flagged OOD), P_k and
 *       R_k the precision and recall of OOD at threshold k. Equal scores form one threshold, so
 *       the order of tied inputs cannot change the value (the step-wise average precision of
 *       scikit-learn's {@code average_precision_score}, not an interpolated area). Its chance
 *       level is the OOD fraction n_ood / (n_in + n_ood). For AUPR with in-distribution as
 *       positive, call it with the sets swapped and the scores negated.</li>
 * </ul>
 * Both sort copies of the two sets once: O(n log n) time, O(n) extra memory. −0.0 and 0.0 are
 * the same score. NaN scores and empty sets are refused.
 */
public final class OodMetrics {

    private OodMetrics() {}

    /** AUROC of separating {@code ood} (positive) from {@code in} with the given scores. */
    public static double auroc(double[] in, double[] ood) {
        double[] a = sortedCopy(in, "in-distribution");
        double[] b = sortedCopy(ood, "out-of-distribution");
        // Walk both ascending, one distinct value at a time; inBelow = in-scores strictly lower.
        double pairsWon = 0;   // Σ over OOD scores of (#in below) + ½ (#in equal)
        int i = 0, j = 0;
        while (j < b.length) {
            double v = i < a.length ? Math.min(a[i], b[j]) : b[j];
            int inBelow = i;
            int inEqual = 0, oodEqual = 0;
            while (i < a.length && a[i] == v) { i++; inEqual++; }
            while (j < b.length && b[j] == v) { j++; oodEqual++; }
            pairsWon += oodEqual * (inBelow + 0.5 * inEqual);
        }
        return pairsWon / ((double) a.length * b.length);
    }

    /** AUPR (average precision) of {@code ood} as positive against {@code in}, higher score = OOD. */
    public static double averagePrecision(double[] in, double[] ood) {
        double[] a = sortedCopy(in, "in-distribution");
        double[] b = sortedCopy(ood, "out-of-distribution");
        // Walk both descending; every distinct score is one threshold.
        int i = a.length - 1, j = b.length - 1;
        long truePositives = 0, falsePositives = 0;
        double ap = 0;
        while (j >= 0) {
            double v = i >= 0 ? Math.max(a[i], b[j]) : b[j];
            int inEqual = 0, oodEqual = 0;
            while (i >= 0 && a[i] == v) { i--; inEqual++; }
            while (j >= 0 && b[j] == v) { j--; oodEqual++; }
            truePositives += oodEqual;
            falsePositives += inEqual;
            if (oodEqual > 0) {
                double recallStep = (double) oodEqual / b.length;
                double precision = (double) truePositives / (truePositives + falsePositives);
                ap += recallStep * precision;
            }
        }
        return ap;
    }

    /** AUROC and AUPR of every score. */
    public static OodResult evaluate(UncertaintyScores in, UncertaintyScores ood) {
        double[] inH = in.entropy(), oodH = ood.entropy();
        double[] inMi = in.mutualInformation(), oodMi = ood.mutualInformation();
        double[] inC = in.oneMinusConfidence(), oodC = ood.oneMinusConfidence();
        return new OodResult(in.size(), ood.size(),
                auroc(inH, oodH), auroc(inMi, oodMi), auroc(inC, oodC),
                averagePrecision(inH, oodH), averagePrecision(inMi, oodMi), averagePrecision(inC, oodC));
    }

    private static double[] sortedCopy(double[] scores, String what) {
        if (scores.length == 0) throw new IllegalArgumentException("no " + what + " scores");
        double[] s = new double[scores.length];
        for (int k = 0; k < s.length; k++) {
            double v = scores[k];
            if (Double.isNaN(v)) throw new IllegalArgumentException("NaN among the " + what + " scores (index " + k + ")");
            s[k] = v + 0.0;   // −0.0 becomes 0.0, so Arrays.sort cannot split a tie
        }
        Arrays.sort(s);
        return s;
    }
}
