package io.bnn4j.uncertainty;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class EvaluationAccumulatorTest {

    // Four examples, three classes, done by hand (15 bins of width 1/15, bin i = (i/15, (i+1)/15]):
    //  1. (.9, .05, .05)  label 0: correct, conf .9  -> bin 13 (.8667, .9333]
    //  2. (.6, .3, .1)    label 1: wrong,   conf .6  -> bin 8  (.5333, .6]   (.6 = 9/15: the upper edge is inside)
    //  3. (.55, .25, .2)  label 0: correct, conf .55 -> bin 8
    //  4. (.4, .35, .25)  label 2: wrong,   conf .4  -> bin 5  (.3333, .4]   (.4 = 6/15: upper edge again)
    // ECE = 1/4·|1 − .9| + 2/4·|.5 − .575| + 1/4·|0 − .4| = .025 + .0375 + .1 = .1625
    // Brier: .01 + .0025 + .0025 = .015; .36 + .49 + .01 = .86; .2025 + .0625 + .04 = .305;
    //        .16 + .1225 + .5625 = .845; mean 2.025/4 = .50625
    // NLL: −(ln .9 + ln .3 + ln .55 + ln .25)/4
    private static final double[][] PROBS = {{.9, .05, .05}, {.6, .3, .1}, {.55, .25, .2}, {.4, .35, .25}};
    private static final int[] LABELS = {0, 1, 0, 2};
    private static final double TOL = 1e-12;   // a few double operations on numbers of order 1

    private static EvaluationResult handCase() {
        EvaluationAccumulator acc = new EvaluationAccumulator(3);
        for (int i = 0; i < 4; i++) acc.add(PROBS[i], LABELS[i]);
        return acc.result();
    }

    @Test
    void fourExamplesMatchTheHandComputation() {
        EvaluationResult r = handCase();
        assertEquals(4, r.n());
        assertEquals(0.5, r.accuracy(), TOL);
        assertEquals(0.1625, r.ece(), TOL);
        assertEquals(0.50625, r.brier(), TOL);
        assertEquals(-(Math.log(.9) + Math.log(.3) + Math.log(.55) + Math.log(.25)) / 4, r.nll(), TOL);
        List<ReliabilityBin> bins = r.bins();
        assertEquals(15, bins.size());
        assertEquals(1, bins.get(13).count());
        assertEquals(1.0, bins.get(13).accuracy(), TOL);
        assertEquals(2, bins.get(8).count());
        assertEquals(0.5, bins.get(8).accuracy(), TOL);
        assertEquals(0.575, bins.get(8).meanConfidence(), TOL);
        assertEquals(1, bins.get(5).count());
        assertEquals(0.0, bins.get(5).accuracy(), TOL);
        assertEquals(0, bins.get(9).count());
        assertTrue(Double.isNaN(bins.get(9).accuracy()));
        assertEquals(8.0 / 15, bins.get(8).lower(), TOL);
        assertEquals(9.0 / 15, bins.get(8).upper(), TOL);
        assertEquals(0.4, r.mce(), TOL);
        assertArrayEquals(new long[]{2, 1, 1}, r.classCounts());
        assertArrayEquals(new double[]{1.0, 0.0, 0.0}, r.classAccuracy(), TOL);
    }

    @Test
    void floatArraysMcPredictionsAndMergedPartsAgree() {
        // Random probability vectors (the hand case has confidences exactly on bin edges, where
        // the float rounding of .6f alone moves an example to the next bin; that is the edge
        // convention working, not a disagreement between paths).
        java.util.Random rnd = new java.util.Random(3);
        int n = 200, classes = 4;
        float[] flat = new float[n * classes];
        double[] flatD = new double[n * classes];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            double[] e = new double[classes];
            for (int c = 0; c < classes; c++) { e[c] = Math.exp(3 * rnd.nextGaussian()); sum += e[c]; }
            for (int c = 0; c < classes; c++) { flat[i * classes + c] = (float) (e[c] / sum); flatD[i * classes + c] = flat[i * classes + c]; }
            labels[i] = rnd.nextInt(classes);
        }
        EvaluationAccumulator fromFloats = new EvaluationAccumulator(classes);
        fromFloats.addAll(flat, labels);
        EvaluationAccumulator fromDoubles = new EvaluationAccumulator(classes);
        fromDoubles.addAll(flatD, labels);
        EvaluationAccumulator a = new EvaluationAccumulator(classes), b = new EvaluationAccumulator(classes);
        McPrediction p = new McPrediction(classes);
        for (int i = 0; i < n; i++) {
            p.compute(flat, classes * i, 1, Normalization.PROBABILITIES);   // renormalizes: ~1e-7 changes
            (i < n / 3 ? a : b).add(p, labels[i]);
        }
        a.merge(b);
        EvaluationResult ref = fromDoubles.result();
        assertTrue(ref.accuracy() > 0.1 && ref.ece() > 0.01);   // a non-trivial case
        for (EvaluationResult r : List.of(fromFloats.result(), a.result())) {
            assertEquals(ref.n(), r.n());
            assertEquals(ref.accuracy(), r.accuracy(), TOL);
            assertEquals(ref.ece(), r.ece(), 1e-6);      // float inputs renormalized: 1e-7 relative per value
            assertEquals(ref.brier(), r.brier(), 1e-6);
            assertEquals(ref.nll(), r.nll(), 1e-6);
            assertArrayEquals(ref.classCounts(), r.classCounts());
            for (int k = 0; k < 15; k++) assertEquals(ref.bins().get(k).count(), r.bins().get(k).count(), "bin " + k);
        }
    }

    @Test
    void binEdgesFollowTheConvention() {
        assertEquals(0, EvaluationAccumulator.binOf(0.0, 15));            // confidence 0 joins bin 0
        assertEquals(0, EvaluationAccumulator.binOf(1.0 / 15, 15));       // upper edge included
        assertEquals(1, EvaluationAccumulator.binOf(Math.nextUp(1.0 / 15), 15));
        for (int i = 1; i <= 15; i++) {
            double edge = (double) i / 15;
            assertEquals(i - 1, EvaluationAccumulator.binOf(edge, 15), "edge " + i + "/15");
            if (i < 15) assertEquals(i, EvaluationAccumulator.binOf(Math.nextUp(edge), 15), "just above " + i + "/15");
        }
        assertEquals(14, EvaluationAccumulator.binOf(1.0, 15));
        assertEquals(14, EvaluationAccumulator.binOf(Math.nextDown(1.0), 15));
        assertEquals(0, EvaluationAccumulator.binOf(1e-300, 15));
        assertEquals(3, EvaluationAccumulator.binOf(0.5, 5) + 1);         // (.4, .6] is bin 2 of 5
    }

    @Test
    void nllIsClampedAtTheFloor() {
        EvaluationAccumulator acc = new EvaluationAccumulator(2);
        acc.add(new double[]{1.0, 0.0}, 1);                                // p̄_label = 0
        EvaluationResult r = acc.result();
        assertEquals(-Math.log(EvaluationAccumulator.PROBABILITY_FLOOR), r.nll(), 1e-9);
        assertEquals(2.0, r.brier(), TOL);                                 // the worst multi-class Brier
        assertEquals(0.0, r.accuracy());
        assertEquals(1.0, r.ece(), TOL);                                   // confidence 1, accuracy 0
    }

    @Test
    void perClassAccuracyCountsEachTrueClass() {
        EvaluationAccumulator acc = new EvaluationAccumulator(3);
        acc.add(new double[]{.8, .1, .1}, 0);    // class 0 right
        acc.add(new double[]{.1, .8, .1}, 0);    // class 0 wrong
        acc.add(new double[]{.2, .7, .1}, 1);    // class 1 right
        acc.add(new double[]{.1, .2, .7}, 0);    // class 0 wrong
        EvaluationResult r = acc.result();
        assertArrayEquals(new long[]{3, 1, 0}, r.classCounts());
        assertEquals(1.0 / 3, r.classAccuracy()[0], TOL);
        assertEquals(1.0, r.classAccuracy()[1], TOL);
        assertTrue(Double.isNaN(r.classAccuracy()[2]));
        assertEquals(0.5, r.accuracy(), TOL);
    }

    @Test
    void emptyAndBadInput() {
        EvaluationResult empty = new EvaluationAccumulator(4).result();
        assertEquals(0, empty.n());
        assertTrue(Double.isNaN(empty.accuracy()) && Double.isNaN(empty.ece()));
        EvaluationAccumulator acc = new EvaluationAccumulator(3);
        assertThrows(IllegalArgumentException.class, () -> acc.add(new double[]{.5, .5, 0}, 3));
        assertThrows(IllegalArgumentException.class, () -> acc.add(new double[]{.5, .5}, 0));
        assertThrows(IllegalArgumentException.class, () -> acc.add(new double[]{Double.NaN, .5, .5}, 0));
        assertThrows(IllegalArgumentException.class, () -> acc.addAll(new float[7], new int[2]));
        assertThrows(IllegalArgumentException.class, () -> acc.merge(new EvaluationAccumulator(3, 10)));
        assertThrows(IllegalArgumentException.class, () -> acc.add(new McPrediction(3), 0));
        assertEquals(0, acc.count());
    }
}
