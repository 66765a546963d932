package io.bnn4j.nn;

import io.bnn4j.parallel.Parallel;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.*;

class McDropoutTest {

    @Test
    void quantileOfTheStandardNormal() {
        assertEquals(-1.2815516, Normals.quantile(0.1), 1e-5);
        assertEquals(0.0, Normals.quantile(0.5), 1e-6);
        assertEquals(1.6448536, Normals.quantile(0.95), 1e-5);
        assertEquals(Double.NEGATIVE_INFINITY, Normals.quantile(0));
    }

    @Test
    void sampledPassesDropInputsAndTheMeanPassDoesNot() {
        ModelSpec spec = ModelSpec.of("lenet5", 1, 10).withEstimator(Estimator.DROPOUT).withDropout(0.25);
        assertEquals(0.25, spec.dropout());
        assertEquals(ModelSpec.DEFAULT_DROPOUT, ModelSpec.of("lenet5", 1, 10).withEstimator(Estimator.DROPOUT).dropout());
        assertEquals(0.0, ModelSpec.of("lenet5", 1, 10).withDropout(0.25).dropout(), "only dropout models keep a rate");
        try (Model m = Model.create(spec, 1); Model plain = Model.allocate(spec.withEstimator(Estimator.NONE)); Arena a = Arena.ofConfined()) {
            plain.allMu().copyFrom(m.allMu());
            plain.parametersChanged();
            MemorySegment x = InferenceSessionTest.images(a, 2, 3);
            int samples = 8;
            MemorySegment z = a.allocate(2L * samples * 10 * 4), zm = a.allocate(2L * 10 * 4), zp = a.allocate(2L * 10 * 4);
            try (InferenceSession s = new InferenceSession(m, 2, samples, Parallel.serial());
                 InferenceSession p = new InferenceSession(plain, 2, 1, Parallel.serial())) {
                s.predictSamples(x, 0, 2, samples, 7, 1, z, 0);
                s.predictMean(x, 0, 2, zm, 0);
                p.predictMean(x, 0, 2, zp, 0);
                float[] zs = z.toArray(ValueLayout.JAVA_FLOAT);
                assertArrayEquals(zp.toArray(ValueLayout.JAVA_FLOAT), zm.toArray(ValueLayout.JAVA_FLOAT), "the mean pass drops nothing");
                for (int t = 1; t < samples; t++) {
                    assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOfRange(zs, 0, 20), java.util.Arrays.copyOfRange(zs, t * 20, t * 20 + 20)),
                            "sample " + t + " drops other inputs than sample 0");
                }
                // the keep mask of fc1's input: a fraction 0.75 kept, scaled by 1/0.75
                ParamLayer fc1 = (ParamLayer) m.layers().stream().filter(l -> l instanceof ParamLayer pl && pl.name.equals("fc1")).findFirst().orElseThrow();
                float[] mask = ((ParamLayer.DropBuffers) s.workspace().buffers[fc1.index]).mask.toArray(ValueLayout.JAVA_FLOAT);
                int kept = 0, n = 2 * samples * fc1.inSize;
                for (int i = 0; i < n; i++) {
                    assertTrue(mask[i] == 0f || Math.abs(mask[i] - 1 / 0.75f) < 1e-6, "mask values 0 or 1/(1 - rate)");
                    if (mask[i] != 0f) kept++;
                }
                assertEquals(0.75, (double) kept / n, 4 * Math.sqrt(0.75 * 0.25 / n));
            }
        }
    }
}
