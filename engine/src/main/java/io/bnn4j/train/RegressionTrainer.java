package io.bnn4j.train;

import io.bnn4j.bayes.GaussianNll;
import io.bnn4j.bayes.KlKind;
import io.bnn4j.nn.Backprop;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.OutputLoss;
import io.bnn4j.nn.StepResult;
import io.bnn4j.parallel.Parallel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Trains a regression model (2 outputs per target: mean and log-variance, {@link GaussianNll})
 * on standardised rows: minibatches in a seeded shuffled order, the Gaussian NLL plus β·KL/N, Adam
 * with a cosine-annealed learning rate. Features and targets are given as flat arrays, row-major.
 */
public final class RegressionTrainer {

    /**
     * @param learnVariance false trains the mean only (a homoscedastic baseline: its log-variance
     *                      outputs stay untrained, so fit its one variance afterwards and do not
     *                      read the model's variances)
     * @param beta          the KL weight: 1 is the ELBO
     * @param epochs        ≥ 1 ({@code RegressionTrainJob} reads 0 as "enough for about 4,000 steps")
     */
    public record Config(int epochs, int batchSize, double lr, int trainSamples, double beta, boolean learnVariance, long seed,
                         int threads) {
        public Config {
            if (epochs < 0) throw new IllegalArgumentException("epochs must be >= 1 (0: automatic, for a job), got " + epochs);
            if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
            if (!(lr > 0) || !Double.isFinite(lr)) throw new IllegalArgumentException("learning rate must be > 0, got " + lr);
            if (trainSamples < 1) throw new IllegalArgumentException("training samples must be >= 1, got " + trainSamples);
            if (!(beta >= 0) || !Double.isFinite(beta)) throw new IllegalArgumentException("beta must be >= 0, got " + beta);
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }

        /** Adam 1e-2 annealed to 0, batch 32, T = 1, β 0.1, a learned variance, seed 1, 1 thread. */
        public static Config defaults(int epochs) {
            return new Config(epochs, 32, 1e-2, 1, 0.1, true, 1, 1);
        }

        public Config withSeed(long s) { return new Config(epochs, batchSize, lr, trainSamples, beta, learnVariance, s, threads); }

        public Config withThreads(int t) { return new Config(epochs, batchSize, lr, trainSamples, beta, learnVariance, seed, t); }

        public Config withLearnVariance(boolean v) { return new Config(epochs, batchSize, lr, trainSamples, beta, v, seed, threads); }
    }

    /** One epoch's figures: mean Gaussian NLL per example (standardised units) and the KL. */
    public record Epoch(int epoch, double nll, double kl, double seconds) {}

    /** Noise streams of the minibatch order (stream + epoch), apart from the trainer's other draws. */
    static final long SHUFFLE_STREAM = 5L << 40;

    private RegressionTrainer() {}

    /**
     * Trains {@code model} in place.
     *
     * @param features n × F standardised features, row-major (F = the model's inputs)
     * @param targets  n × k standardised targets (2k = the model's outputs)
     */
    public static void fit(Model model, float[] features, float[] targets, int n, Config c, Consumer<Epoch> onEpoch) {
        int f = model.inputShape().size(), k = model.numClasses() / 2;
        if (model.numClasses() != 2 * k) throw new IllegalArgumentException("a regression model has 2 outputs per target, got " + model.numClasses());
        if (features.length != (long) n * f || targets.length != (long) n * k) {
            throw new IllegalArgumentException("features must be n x " + f + " and targets n x " + k);
        }
        Objects.requireNonNull(onEpoch, "onEpoch");
        if (c.epochs() < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + c.epochs());
        int batch = Math.min(c.batchSize(), n);
        float[] batchTargets = new float[batch * k];
        OutputLoss loss = (chunk, samples, stride, i0, i1, out, off, scale, dOut, dOff, correct) ->
                GaussianNll.lossAndGrad(k, samples, stride, i0, i1, batchTargets, c.learnVariance(), out, off, scale, dOut, dOff);
        try (Parallel par = new Parallel(c.threads());
             Backprop bp = new Backprop(model, batch, c.trainSamples(), KlKind.STANDARD, par, 0, loss)) {
            Optimizer opt = new Optimizer(io.bnn4j.train.OptimizerSpec.Adam.defaults(), model, par);
            LrSchedule.Cosine cosine = new LrSchedule.Cosine(0.0);
            MemorySegment in = bp.input();
            int[] order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            int stepsPerEpoch = (n + batch - 1) / batch;
            long totalSteps = (long) stepsPerEpoch * c.epochs(), step = 0;
            double klScale = c.beta() / n;
            for (int epoch = 1; epoch <= c.epochs(); epoch++) {
                long t0 = System.nanoTime();
                Shuffle.shuffle(order, c.seed(), SHUFFLE_STREAM + epoch);
                double nll = 0, kl = 0;
                for (int from = 0; from < n; from += batch) {
                    int m = Math.min(batch, n - from);
                    for (int i = 0; i < m; i++) {
                        int row = order[from + i];
                        MemorySegment.copy(features, row * f, in, ValueLayout.JAVA_FLOAT, (long) i * f * Float.BYTES, f);
                        System.arraycopy(targets, row * k, batchTargets, i * k, k);
                    }
                    StepResult r = bp.step(m, c.seed(), step, model.bayesian() ? klScale : 0.0);
                    if (!Double.isFinite(r.loss())) {
                        throw new TrainingDivergedException("loss became " + r.loss() + " at epoch " + epoch + "; try a lower learning rate");
                    }
                    step++;
                    opt.step(cosine.lr(c.lr(), step - 1, totalSteps), step);
                    nll += r.nll() * m;
                    kl = r.kl();
                }
                onEpoch.accept(new Epoch(epoch, nll / n, kl, (System.nanoTime() - t0) * 1e-9));
            }
            model.parametersChanged();
        }
    }
}
