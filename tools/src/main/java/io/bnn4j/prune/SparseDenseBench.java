package io.bnn4j.prune;

import io.bnn4j.uncertainty.Latency;
import io.bnn4j.io.ModelStore;
import io.bnn4j.kernel.Kernels;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.Parameter;
import io.bnn4j.parallel.Parallel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Experiment (not a test, not run by the build): does skipping pruned weights pay off in
 * prediction? For each dense layer of a snr-pruned model, times the LRT forward work of one
 * image with T samples — a_μ = x·μᵀ and a_var = x²·(σ²)ᵀ for x: (T, in) — with the dense SIMD
 * GEMM (what the inference path does) against a CSR sparse product that visits only the kept
 * weights (μ and σ² share one index structure; x² is formed on the fly), on heap arrays (its
 * best case) and on off-heap segments (what the inference path would hand it). docs/PRUNING.md
 * records the result.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp engine/target/classes:tools/target/classes:COMMONS_COMPRESS \
 *     io.bnn4j.prune.SparseDenseBench /work/models/lenet5-full.bnn 0.9 10
 * </pre>
 */
public final class SparseDenseBench {

    /** A (out, in) matrix's kept entries, row by row, with μ and σ² values. */
    record Csr(int out, int in, int[] rowStart, int[] col, float[] mu, float[] var) {
        static Csr of(Parameter w, float[] sigma) {
            int out = w.shape()[0], in = w.size() / out;
            float[] mu = w.mu().toArray(), mask = w.mask() == null ? null : w.mask().toArray();
            int[] start = new int[out + 1];
            int nnz = 0;
            for (int i = 0; i < mu.length; i++) if (mask == null || mask[i] != 0f) nnz++;
            int[] col = new int[nnz];
            float[] m = new float[nnz], v = new float[nnz];
            int k = 0;
            for (int o = 0; o < out; o++) {
                start[o] = k;
                for (int j = 0; j < in; j++) {
                    int i = o * in + j;
                    if (mask != null && mask[i] == 0f) continue;
                    col[k] = j;
                    m[k] = mu[i];
                    v[k] = sigma[i] * sigma[i];
                    k++;
                }
            }
            start[out] = k;
            return new Csr(out, in, start, col, m, v);
        }

        /** amu, avar: (n, out) = x·μᵀ, x²·(σ²)ᵀ for x: (n, in), all heap. */
        void forward(float[] x, int n, float[] amu, float[] avar) {
            for (int r = 0; r < n; r++) {
                int xb = r * in, yb = r * out;
                for (int o = 0; o < out; o++) {
                    float s = 0, q = 0;
                    for (int k = rowStart[o], e = rowStart[o + 1]; k < e; k++) {
                        float xv = x[xb + col[k]];
                        s += mu[k] * xv;
                        q += var[k] * xv * xv;
                    }
                    amu[yb + o] = s;
                    avar[yb + o] = q;
                }
            }
        }

        /** The same on off-heap segments (offsets in floats). */
        void forward(MemorySegment x, int n, MemorySegment amu, MemorySegment avar) {
            ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
            for (int r = 0; r < n; r++) {
                long xb = (long) r * in, yb = (long) r * out;
                for (int o = 0; o < out; o++) {
                    float s = 0, q = 0;
                    for (int k = rowStart[o], e = rowStart[o + 1]; k < e; k++) {
                        float xv = x.getAtIndex(F, xb + col[k]);
                        s += mu[k] * xv;
                        q += var[k] * xv * xv;
                    }
                    amu.setAtIndex(F, yb + o, s);
                    avar.setAtIndex(F, yb + o, q);
                }
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        double sparsity = Double.parseDouble(args[1]);
        int t = Integer.parseInt(args[2]);
        Kernels k = Kernels.instance();
        Parallel serial = Parallel.serial();
        try (ModelStore.Loaded l = ModelStore.load(file); Model m = Pruner.prune(l.model(), PruneMethod.SNR, sparsity, PruneScope.GLOBAL);
             Arena arena = Arena.ofConfined()) {
            float[] sigma = m.allSigma().toArray();
            for (Parameter w : m.parameters()) {
                if (w.isBias()) continue;
                System.out.printf(Locale.ROOT, "%-14s %s density %.3f%n", w.name(), Arrays.toString(w.shape()), (double) w.activeCount() / w.size());
            }
            for (Parameter w : m.parameters()) {
                if (w.isBias() || w.shape().length != 2) continue;
                int out = w.shape()[0], in = w.shape()[1];
                Csr csr = Csr.of(w, Arrays.copyOfRange(sigma, (int) w.offset(), (int) w.offset() + w.size()));
                float[] x = new float[t * in];
                Random rnd = new Random(1);
                for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat();
                float[] amu = new float[t * out], avar = new float[t * out];
                MemorySegment xs = arena.allocateFrom(ValueLayout.JAVA_FLOAT, x), xsq = arena.allocate((long) x.length * 4, 64);
                MemorySegment ys = arena.allocate((long) t * out * 4, 64), vs = arena.allocate((long) t * out * 4, 64);
                MemorySegment wm = arena.allocateFrom(ValueLayout.JAVA_FLOAT, w.mu().toArray());
                float[] sq = new float[w.size()];
                for (int i = 0; i < sq.length; i++) sq[i] = sigma[(int) w.offset() + i] * sigma[(int) w.offset() + i];
                MemorySegment wv = arena.allocateFrom(ValueLayout.JAVA_FLOAT, sq);
                Runnable dense = () -> {
                    k.gemm(serial, false, true, t, out, in, 1f, xs, 0, in, wm, 0, in, 0f, ys, 0, out);
                    k.mul(t * in, xs, 0, xs, 0, xsq, 0);
                    k.gemm(serial, false, true, t, out, in, 1f, xsq, 0, in, wv, 0, in, 0f, vs, 0, out);
                };
                Runnable sparseHeap = () -> csr.forward(x, t, amu, avar);
                Runnable sparseSeg = () -> csr.forward(xs, t, ys, vs);
                // check: the three agree
                dense.run();
                float[] d = ys.toArray(ValueLayout.JAVA_FLOAT);
                sparseHeap.run();
                float worst = 0;
                for (int i = 0; i < d.length; i++) worst = Math.max(worst, Math.abs(d[i] - amu[i]));
                double[] best = new double[3];
                Arrays.fill(best, Double.MAX_VALUE);
                double[][] rounds = new double[3][7];
                Runnable[] variants = {dense, sparseHeap, sparseSeg};
                for (int round = 0; round < 7; round++) {
                    for (int v = 0; v < 3; v++) rounds[v][round] = time(variants[v], round == 0 ? 20_000 : 5_000);
                }
                double[] med = new double[3];
                for (int v = 0; v < 3; v++) {
                    double[] r = Arrays.copyOfRange(rounds[v], 1, 7);
                    Arrays.sort(r);
                    med[v] = (r[2] + r[3]) / 2;
                }
                System.out.printf(Locale.ROOT, "%s (%d x %d, T = %d, density %.3f, nnz %d): dense GEMM %.2f us, CSR heap %.2f us, CSR segment %.2f us "
                                + "(medians of 6 rounds of 5000 calls); |dense - csr| max %.2g%n",
                        w.name(), out, in, t, (double) csr.col().length / w.size(), csr.col().length, med[0], med[1], med[2], worst);
            }
            float[] image = new float[m.inputShape().size()];
            Random rnd = new Random(2);
            for (int i = 0; i < image.length; i++) image[i] = rnd.nextFloat();
            // the pruned model (sparse rows in fc layers under SPARSE_MAX_DENSITY), the same numbers held
            // densely without masks (dense kernels everywhere), and the unpruned model: 5 interleaved rounds
            try (Model twin = denseTwin(m)) {
                try (var s = new io.bnn4j.nn.InferenceSession(m, 1, t)) {
                    System.out.println("pruned model uses sparse rows: " + m.usesSparseInference() + ", twin: " + twin.usesSparseInference());
                }
                for (int rep = 0; rep < 5; rep++) {
                    double sp = Latency.measure(m, image, t, Latency.WARMUP, Latency.CALLS).medianMs();
                    double dn = Latency.measure(twin, image, t, Latency.WARMUP, Latency.CALLS).medianMs();
                    double un = Latency.measure(l.model(), image, t, Latency.WARMUP, Latency.CALLS).medianMs();
                    System.out.printf(Locale.ROOT, "round %d, one image, %d samples, one thread (median ms): pruned+sparse rows %.3f, pruned dense kernels %.3f, unpruned %.3f%n",
                            rep + 1, t, sp, dn, un);
                }
            }
        }
    }

    /** The same numbers without masks (removed μ = 0, ρ = −100 so σ² underflows to 0): runs on the dense kernels. */
    static Model denseTwin(Model m) {
        Model t = Model.allocate(m.spec());
        t.allMu().copyFrom(m.allMu());
        t.allRho().copyFrom(m.allRho());
        for (int i = 0; i < m.parameters().size(); i++) {
            Parameter p = m.parameters().get(i), q = t.parameters().get(i);
            if (p.mask() == null) continue;
            float[] mask = p.mask().toArray();
            for (int j = 0; j < mask.length; j++) {
                if (mask[j] == 0f) {
                    q.mu().setFlat(j, 0f);
                    q.rho().setFlat(j, -100f);
                }
            }
        }
        t.parametersChanged();
        return t;
    }

    /** Mean microseconds per call over {@code calls} calls. */
    static double time(Runnable r, int calls) {
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) r.run();
        return (System.nanoTime() - start) / 1e3 / calls;
    }
}
