package io.bnn4j.prune;

import io.bnn4j.uncertainty.Latency;
import io.bnn4j.io.ModelStore;
import io.bnn4j.nn.Model;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Experiment (not a test): single-image T-sample latency, one thread, of pruned versions of a
 * model against the unpruned one, in interleaved rounds (the machine is shared: the median of
 * the rounds' medians is reported). Latency does not depend on fine-tuning, so none is done.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp engine/target/classes:tools/target/classes:COMMONS_COMPRESS \
 *     io.bnn4j.prune.PrunedLatency /work/models/lenet5-full.bnn 10 5
 * </pre>
 * Arguments: model file, samples T, rounds.
 */
public final class PrunedLatency {

    public static void main(String[] args) throws Exception {
        int t = Integer.parseInt(args[1]), rounds = Integer.parseInt(args[2]);
        try (ModelStore.Loaded l = ModelStore.load(Path.of(args[0]))) {
            Model base = l.model();
            float[] image = new float[base.inputShape().size()];
            Random rnd = new Random(2);
            for (int i = 0; i < image.length; i++) image[i] = rnd.nextFloat();
            Object[][] cases = {
                    {PruneMethod.SNR, 0.5}, {PruneMethod.SNR, 0.7}, {PruneMethod.SNR, 0.8}, {PruneMethod.SNR, 0.9}, {PruneMethod.SNR, 0.95},
                    {PruneMethod.SNR, 0.98}, {PruneMethod.L1_FILTER, 0.3}, {PruneMethod.L1_FILTER, 0.5}};
            for (Object[] c : cases) {
                PruneMethod method = (PruneMethod) c[0];
                double s = (Double) c[1];
                try (Model p = Pruner.prune(base, method, s, PruneScope.GLOBAL)) {
                    double[] pruned = new double[rounds], unpruned = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        pruned[r] = Latency.measure(p, image, t, Latency.WARMUP, Latency.CALLS).medianMs();
                        unpruned[r] = Latency.measure(base, image, t, Latency.WARMUP, Latency.CALLS).medianMs();
                    }
                    double a = median(pruned), b = median(unpruned);
                    System.out.printf(Locale.ROOT, "%s %.2f: pruned %.3f ms, unpruned %.3f ms, speed-up %.2fx, sparse rows %s (rounds: %s vs %s)%n",
                            method.label(), s, a, b, b / a, p.usesSparseInference(), fmt(pruned), fmt(unpruned));
                }
            }
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static String fmt(double[] v) {
        StringBuilder b = new StringBuilder();
        for (double x : v) b.append(b.isEmpty() ? "" : " ").append(String.format(Locale.ROOT, "%.3f", x));
        return b.toString();
    }
}
