package io.bnn4j.job;

import io.bnn4j.BnnInputException;
import io.bnn4j.Progress;
import io.bnn4j.bayes.BetaSchedule;
import io.bnn4j.bayes.KlKind;
import io.bnn4j.data.Dataset;
import io.bnn4j.data.Datasets;
import io.bnn4j.data.Split;
import io.bnn4j.io.ModelStore;
import io.bnn4j.io.ModelStore.Loaded;
import io.bnn4j.io.ModelStore.ModelInfo;
import io.bnn4j.nn.Model;
import io.bnn4j.prune.PruneMethod;
import io.bnn4j.prune.PruneReport;
import io.bnn4j.prune.PruneScope;
import io.bnn4j.prune.Pruner;
import io.bnn4j.train.TrainConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Prunes a model file (docs/PRUNING.md), optionally fine-tunes the result, writes it, and reports
 * both models measured on the same labelled set (the directory's test split when it has one).
 * Fine-tuning continues the model's own ELBO: its KL direction, with this job's lr and β.
 *
 * @param scope for snr and magnitude (null: global); ignored by l1-filter
 * @param ood   an OOD dataset directory or a synthetic set's name for the AUROC before and after, or null
 */
public record PruneJob(Path model, PruneMethod method, double sparsity, PruneScope scope, Path data, int fineTuneEpochs,
                       double lr, BetaSchedule beta, Path out, long seed, int threads, Path ood) {

    public static final double DEFAULT_FINE_TUNE_LR = 1e-3;

    public PruneJob {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(beta, "beta");
        Objects.requireNonNull(out, "out");
        if (!(sparsity >= 0 && sparsity < 1)) throw new IllegalArgumentException("sparsity must be in [0, 1), got " + sparsity);
        if (fineTuneEpochs < 0) throw new IllegalArgumentException("fine-tune epochs must be >= 0, got " + fineTuneEpochs);
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }

    /** @param oodMeasured whether the report's AUROC figures were measured */
    public record Result(PruneReport report, Path out, boolean oodMeasured) {}

    public Result run(Progress progress) {
        try (Loaded loaded = ModelStore.loadClassifier(model)) {
            Model m = loaded.model();
            ModelInfo info = loaded.info();
            Dataset test = Jobs.testOrTrain(data);
            Jobs.checkLabelled(data, test, m, "pruning");
            if (method == PruneMethod.SNR && !m.bayesian()) {
                throw new BnnInputException(model + ": snr pruning needs a Bayesian model (this one is --layer none); use magnitude");
            }
            Dataset oodData = ood == null ? null : Jobs.oodSet(ood, test, seed);
            Pruner.Request req = Pruner.Request.of(method, sparsity, test).withScope(scope).withTransform(info.inputTransform())
                    .withSeed(seed).withThreads(threads).withOod(oodData);
            if (fineTuneEpochs > 0) {
                KlKind kl = info.kl() == KlKind.REVERSE ? KlKind.REVERSE : KlKind.STANDARD;
                TrainConfig ft = TrainConfig.plain().withSeed(seed).withThreads(threads).withLr(lr).withBeta(beta).withKl(kl);
                req = req.withFineTune(Datasets.load(data, Split.TRAIN), fineTuneEpochs, ft);
            }
            Path sizing = out.resolveSibling(out.getFileName() + ".size.tmp");
            try (Pruner.Outcome o = Pruner.run(m, req, pm -> {
                try {
                    return ModelStore.save(pm, info, null, sizing);
                } finally {
                    Files.deleteIfExists(sizing);
                }
            }, progress)) {
                ModelStore.save(o.pruned(), info, null, out);
                return new Result(o.report(), out, oodData != null);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": cannot be written (" + e.getMessage() + ")", e);
        }
    }
}
