package io.bnn4j.uncertainty;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class OodMetricsTest {

    private static final double TOL = 1e-12;

    @Test
    void aurocPerfectReversedAndChance() {
        assertEquals(1.0, OodMetrics.auroc(new double[]{0.1, 0.2}, new double[]{0.3, 0.4}), TOL);
        assertEquals(0.0, OodMetrics.auroc(new double[]{0.3, 0.4}, new double[]{0.1, 0.2}), TOL);
        assertEquals(0.5, OodMetrics.auroc(new double[]{0.7, 0.7, 0.7}, new double[]{0.7, 0.7}), TOL);
        // Interleaved without ties: pairs (ood > in) are (.2>.1), (.4>.1), (.4>.3) out of 4.
        assertEquals(0.75, OodMetrics.auroc(new double[]{0.1, 0.3}, new double[]{0.2, 0.4}), TOL);
    }

    @Test
    void aurocCountsTiesAsOneHalf() {
        // in = {.2, .5}, ood = {.5, .5}: (.5 vs .2) wins twice, (.5 vs .5) ties twice -> (2 + 2·½)/4 = .75
        assertEquals(0.75, OodMetrics.auroc(new double[]{0.2, 0.5}, new double[]{0.5, 0.5}), TOL);
        // in = {.1, .5}, ood = {.5, .9}: 1 + ½ + 1 + 1 = 3.5 of 4
        assertEquals(0.875, OodMetrics.auroc(new double[]{0.1, 0.5}, new double[]{0.5, 0.9}), TOL);
        // −0.0 and 0.0 are one score: a tie.
        assertEquals(0.5, OodMetrics.auroc(new double[]{-0.0}, new double[]{0.0}), TOL);
    }

    @Test
    void averagePrecisionByHand() {
        // scikit-learn's documented example: y = (0, 0, 1, 1), scores (.1, .4, .35, .8) -> 0.8333...
        // thresholds from the top: .8 (ood: P 1, R .5), .4 (in), .35 (ood: P 2/3, R 1) -> .5·1 + .5·2/3
        assertEquals(0.5 + 0.5 * 2 / 3.0, OodMetrics.averagePrecision(new double[]{0.1, 0.4}, new double[]{0.35, 0.8}), TOL);
        // With a tie: in = {.5}, ood = {.5, .9}: .9 (P 1, R .5), then .5 taken together (P 2/3, R 1).
        assertEquals(0.5 + 0.5 * 2 / 3.0, OodMetrics.averagePrecision(new double[]{0.5}, new double[]{0.5, 0.9}), TOL);
        assertEquals(1.0, OodMetrics.averagePrecision(new double[]{0.1, 0.2}, new double[]{0.3}), TOL);
        // Everything tied: one threshold, precision = OOD fraction.
        assertEquals(0.25, OodMetrics.averagePrecision(new double[]{1, 1, 1}, new double[]{1}), TOL);
    }

    @Test
    void sortedAlgorithmsMatchQuadraticDefinitionsWithManyTies() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            double[] in = new double[1 + rnd.nextInt(30)];
            double[] ood = new double[1 + rnd.nextInt(30)];
            for (int i = 0; i < in.length; i++) in[i] = rnd.nextInt(6) * 0.25;          // few values: many ties
            for (int i = 0; i < ood.length; i++) ood[i] = rnd.nextInt(6) * 0.25 + (trial % 3) * 0.25;
            assertEquals(pairwiseAuroc(in, ood), OodMetrics.auroc(in, ood), TOL);
            assertEquals(thresholdAp(in, ood), OodMetrics.averagePrecision(in, ood), TOL);
        }
    }

    /** The definition: over all (in, ood) pairs, 1 if ood scores higher, ½ if equal. */
    private static double pairwiseAuroc(double[] in, double[] ood) {
        double s = 0;
        for (double o : ood) for (double i : in) s += o > i ? 1 : o == i ? 0.5 : 0;
        return s / (in.length * (double) ood.length);
    }

    /** The definition: Σ_k (R_k − R_{k−1}) P_k over distinct thresholds, each counted from scratch. */
    private static double thresholdAp(double[] in, double[] ood) {
        java.util.TreeSet<Double> thresholds = new java.util.TreeSet<>();
        for (double v : in) thresholds.add(v);
        for (double v : ood) thresholds.add(v);
        double ap = 0, prevRecall = 0;
        for (double t : thresholds.descendingSet()) {
            int tp = 0, fp = 0;
            for (double v : ood) if (v >= t) tp++;
            for (double v : in) if (v >= t) fp++;
            double recall = tp / (double) ood.length;
            if (tp + fp > 0) ap += (recall - prevRecall) * tp / (tp + fp);
            prevRecall = recall;
        }
        return ap;
    }

    @Test
    void evaluateUsesEachScore() {
        UncertaintyScores in = new UncertaintyScores(), ood = new UncertaintyScores();
        // Entropy separates perfectly, mutual information is reversed, confidence is all tied.
        for (int i = 0; i < 100; i++) {
            in.add(0.1, 0.9, 0.6);
            ood.add(0.9, 0.1, 0.6);
        }
        OodResult r = OodMetrics.evaluate(in, ood);
        assertEquals(100, r.inN());
        assertEquals(100, r.oodN());
        assertEquals(1.0, r.aurocEntropy(), TOL);
        assertEquals(0.0, r.aurocMutualInformation(), TOL);
        assertEquals(0.5, r.aurocConfidence(), TOL);
        assertEquals(1.0, r.auprEntropy(), TOL);
        assertEquals(0.5, r.aupr(OodScore.ONE_MINUS_CONFIDENCE), TOL);
        assertEquals(r.aurocEntropy(), r.auroc(OodScore.ENTROPY));
        assertArrayEquals(new double[]{0.4, 0.4}, new double[]{in.oneMinusConfidence()[0], in.scores(OodScore.ONE_MINUS_CONFIDENCE)[99]}, TOL);
    }

    @Test
    void emptyOrNanScoresAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> OodMetrics.auroc(new double[0], new double[]{1}));
        assertThrows(IllegalArgumentException.class, () -> OodMetrics.averagePrecision(new double[]{1}, new double[0]));
        assertThrows(IllegalArgumentException.class, () -> OodMetrics.auroc(new double[]{Double.NaN}, new double[]{1}));
        assertThrows(IllegalArgumentException.class, () -> new UncertaintyScores().add(Double.NaN, 0, 1));
    }
}
