package io.bnn4j.prune;

import io.bnn4j.nn.InferenceSession;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.Parameter;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/** Inputs and forward passes for the pruning tests. */
final class PruneTestSupport {

    private PruneTestSupport() {}

    /** n random images in [0, 1) of the model's input shape, (n, C, H, W). */
    static float[] images(Model m, int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * m.inputShape().size()];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        return x;
    }

    /** Logits (n, classes) from the posterior means. */
    static float[] meanLogits(Model m, float[] x) {
        int n = x.length / m.inputShape().size();
        try (Arena a = Arena.ofConfined(); InferenceSession s = new InferenceSession(m, n, 1)) {
            MemorySegment in = a.allocateFrom(ValueLayout.JAVA_FLOAT, x);
            MemorySegment out = a.allocate((long) n * m.numClasses() * Float.BYTES);
            s.predictMean(in, 0, n, out, 0);
            return out.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    /** Logits (T, n, classes) from T posterior samples under (seed, stream). */
    static float[] sampleLogits(Model m, float[] x, int samples, long seed, long stream) {
        int n = x.length / m.inputShape().size();
        try (Arena a = Arena.ofConfined(); InferenceSession s = new InferenceSession(m, n, samples)) {
            MemorySegment in = a.allocateFrom(ValueLayout.JAVA_FLOAT, x);
            MemorySegment out = a.allocate((long) n * samples * m.numClasses() * Float.BYTES);
            s.predictSamples(in, 0, n, samples, seed, stream, out, 0);
            return out.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    /** Sets every element of {@code p}'s μ from {@code f(i)}. */
    static void setMu(Parameter p, java.util.function.IntToDoubleFunction f) {
        for (int i = 0; i < p.size(); i++) p.mu().setFlat(i, (float) f.applyAsDouble(i));
    }

    static void setRho(Parameter p, java.util.function.IntToDoubleFunction f) {
        for (int i = 0; i < p.size(); i++) p.rho().setFlat(i, (float) f.applyAsDouble(i));
    }

    /** Indices where {@code p}'s mask is 0 (empty when it has no mask). */
    static java.util.List<Integer> removed(Parameter p) {
        java.util.List<Integer> r = new java.util.ArrayList<>();
        if (p.mask() == null) return r;
        float[] m = p.mask().toArray();
        for (int i = 0; i < m.length; i++) if (m[i] == 0f) r.add(i);
        return r;
    }
}
