package io.bnn4j.nn;

import io.bnn4j.bayes.Prior;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ModelTest {

    @Test
    void lenet5HasTheDocumentedParameterCount() {
        try (Model m = Model.create(ModelSpec.of("lenet5", 1, 10), 1)) {
            assertEquals(61_706, m.meanCount());
            assertEquals(61_706, m.rhoCount());
            assertEquals(List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
                    "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"), m.parameters().stream().map(Parameter::name).toList());
            assertArrayEquals(new int[]{6, 1, 5, 5}, m.parameter("conv1.weight").shape());
            assertArrayEquals(new int[]{120, 400}, m.parameter("fc1.weight").shape());
            assertEquals(10, m.numClasses());
        }
        try (Model m = Model.create(ModelSpec.of("lenet5", 1, 10).withEstimator(Estimator.NONE), 1)) {
            assertEquals(61_706, m.meanCount());
            assertEquals(0, m.rhoCount());
            assertNull(m.parameter("fc3.bias").rho());
        }
    }

    @Test
    void customWidthsDescribeAPrunedModel() {
        ModelSpec spec = ModelSpec.of("lenet5", 3, 7).withWidths(4, 10, 50, 30);
        try (Model m = Model.create(spec, 1)) {
            long want = (4 * 3 * 25 + 4) + (10 * 4 * 25 + 10) + (50 * 250 + 50) + (30 * 50 + 30) + (7 * 30 + 7);
            assertEquals(want, m.meanCount());
            assertArrayEquals(new int[]{50, 250}, m.parameter("fc1.weight").shape());
        }
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.of("lenet5", 1, 10).withWidths(4, 10, 50));
        assertThrows(IllegalArgumentException.class, () -> ModelSpec.of("resnet", 1, 10));
    }

    @ParameterizedTest
    @CsvSource({"3conv3fc, 1", "3conv3fc, 3", "alexnet, 1", "alexnet, 3", "lenet5, 3"})
    void architecturesRunOn32x32(String arch, int channels) {
        ModelSpec spec = ModelSpec.of(arch, channels, 10);
        try (Model m = Model.create(spec, 2); InferenceSession s = new InferenceSession(m, 2, 2); Arena a = Arena.ofConfined()) {
            int in = channels * 32 * 32;
            MemorySegment x = a.allocate(2L * in * 4), logits = a.allocate(2L * 2 * 10 * 4);
            for (int i = 0; i < 2 * in; i++) x.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, (i % 17) / 17f);
            s.predictSamples(x, 0, 2, 2, 1, 0, logits, 0);
            double[] z = Ref.read(logits, 0, 40);
            for (double v : z) assertTrue(Double.isFinite(v));
            assertNotEquals(z[0], z[20], "two samples differ");
            // the dense layers see the documented input sizes
            String fc = "fc1.weight";
            int want = switch (arch) { case "3conv3fc" -> 512; case "alexnet" -> 128; default -> 400; };
            assertEquals(want, m.parameter(fc).shape()[1]);
        }
    }

    @Test
    void initIsReproducibleAndHasTheDocumentedMoments() {
        ModelSpec spec = ModelSpec.of("lenet5", 1, 10);
        try (Model a = Model.create(spec, 7); Model b = Model.create(spec, 7); Model c = Model.create(spec, 8)) {
            assertArrayEquals(a.allMu().toArray(), b.allMu().toArray());
            assertArrayEquals(a.allRho().toArray(), b.allRho().toArray());
            assertFalse(java.util.Arrays.equals(a.allMu().toArray(), c.allMu().toArray()));
            double[] mu = moments(a.allMu().toArray()), rho = moments(a.allRho().toArray());
            // 61,706 draws: standard error of the mean 0.1/248 = 4e-4, of the sd about 3e-4
            assertEquals(0, mu[0], 3e-3);
            assertEquals(0.1, mu[1], 3e-3);
            assertEquals(-5, rho[0], 3e-3);
            assertEquals(0.1, rho[1], 3e-3);
            float sigma = a.allSigma().getFlat(0), r0 = a.allRho().getFlat(0);
            assertEquals(Math.log1p(Math.exp(r0)), sigma, 1e-9);
        }
    }

    private static double[] moments(float[] v) {
        double s = 0, q = 0;
        for (float x : v) s += x;
        double m = s / v.length;
        for (float x : v) q += (x - m) * (x - m);
        return new double[]{m, Math.sqrt(q / v.length)};
    }

    @Test
    void masksZeroMeanAndSigmaExactly() {
        try (Model m = Model.create(ModelSpec.of("lenet5", 1, 10), 3)) {
            Parameter w = m.parameter("conv1.weight");
            float[] mask = new float[w.size()];
            for (int i = 0; i < mask.length; i += 2) mask[i] = 1;
            w.setMask(mask);
            assertEquals(75, w.activeCount());
            assertEquals(61_706 - 75, m.activeMeanCount());
            float[] mu = w.mu().toArray();
            float[] sigma = m.allSigma().toArray();
            for (int i = 0; i < mask.length; i++) {
                if (mask[i] == 0) {
                    assertEquals(0f, Math.abs(mu[i]));
                    assertEquals(0f, sigma[(int) w.offset() + i]);
                } else {
                    assertTrue(sigma[(int) w.offset() + i] > 0);
                }
            }
            assertNull(m.parameter("conv1.bias").mask());
            assertThrows(IllegalArgumentException.class, () -> w.setMask(new float[3]));
            float[] half = new float[150];
            half[0] = 0.5f;
            assertThrows(IllegalArgumentException.class, () -> w.setMask(half));
        }
    }

    @Test
    void customLayerStacksCheckShapes() {
        assertThrows(IllegalArgumentException.class, () -> Model.ofLayers(new ImageShape(1, 4, 4),
                List.of(new LayerDef.Conv("c", 2, 5, 1, 0)), Estimator.LRT, Activation.RELU, Prior.defaultPrior(), 1));
    }
}
