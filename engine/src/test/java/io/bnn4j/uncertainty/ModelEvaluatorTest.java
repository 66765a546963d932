package io.bnn4j.uncertainty;

import io.bnn4j.data.Dataset;
import io.bnn4j.data.ImageTransform;
import io.bnn4j.nn.Estimator;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.parallel.Parallel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class ModelEvaluatorTest {

    /** 300 random 28×28 gray images with labels 0..9: more than one batch, with a partial last one. */
    private static Dataset randomSet(boolean labelled) {
        Random r = new Random(5);
        byte[] px = new byte[300 * 28 * 28];
        r.nextBytes(px);
        int[] labels = new int[300];
        for (int i = 0; i < labels.length; i++) labels[i] = r.nextInt(10);
        List<String> names = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        return labelled ? Dataset.of("random", 1, 28, 28, px, labels, names) : Dataset.unlabelled("random", 1, 28, 28, px);
    }

    @Test
    void figuresDoNotDependOnTheThreadCountAndCoverEveryImage() {
        Dataset data = randomSet(true);
        try (Model m = Model.create(ModelSpec.of("lenet5", 1, 10), 3)) {
            ModelEvaluator.Result one, two;
            try (ModelEvaluator e = new ModelEvaluator(m, 4, Parallel.serial())) {
                one = e.evaluate(data, ImageTransform.PAD, 4, Normalization.SOFTMAX, 9, 0);
            }
            try (Parallel par = new Parallel(2); ModelEvaluator e = new ModelEvaluator(m, 4, par)) {
                two = e.evaluate(data, ImageTransform.PAD, 4, Normalization.SOFTMAX, 9, 0);
            }
            assertEquals(300, one.evaluation().n());
            assertEquals(300, one.scores().size());
            assertEquals(one.evaluation().accuracy(), two.evaluation().accuracy());
            assertEquals(one.evaluation().nll(), two.evaluation().nll());
            assertEquals(one.evaluation().ece(), two.evaluation().ece());
            assertEquals(one.evaluation().brier(), two.evaluation().brier());
            assertArrayEquals(one.scores().entropy(), two.scores().entropy());
            // an untrained net is near chance, and Monte-Carlo samples disagree a little
            assertTrue(one.evaluation().accuracy() < 0.3, "accuracy " + one.evaluation().accuracy());
            double mi = 0;
            for (double v : one.scores().mutualInformation()) mi += v;
            assertTrue(mi > 0, "Bayesian samples must differ");
        }
    }

    @Test
    void meanWeightsHaveNoEpistemicPartAndUnlabelledSetsGiveScoresOnly() {
        try (Model m = Model.create(ModelSpec.of("lenet5", 1, 10).withEstimator(Estimator.BBB), 3);
             ModelEvaluator e = new ModelEvaluator(m, 3, Parallel.serial())) {
            ModelEvaluator.Result mean = e.evaluate(randomSet(true), ImageTransform.PAD, 0, Normalization.SOFTMAX, 1, 0);
            for (double v : mean.scores().mutualInformation()) assertEquals(0.0, v);
            ModelEvaluator.Result ood = e.evaluate(randomSet(false), ImageTransform.PAD, 3, Normalization.SOFTMAX, 1, 0);
            assertNull(ood.evaluation());
            assertEquals(300, ood.scores().size());
            assertThrows(IllegalArgumentException.class, () -> e.evaluate(randomSet(true), ImageTransform.PAD, 4, Normalization.SOFTMAX, 1, 0));
        }
    }
}
