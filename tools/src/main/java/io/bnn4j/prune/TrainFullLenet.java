package io.bnn4j.prune;

import io.bnn4j.data.Dataset;
import io.bnn4j.data.Datasets;
import io.bnn4j.data.Split;
import io.bnn4j.io.ModelStore;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.train.DatasetSource;
import io.bnn4j.train.Evaluation;
import io.bnn4j.train.TrainConfig;
import io.bnn4j.train.Trainer;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Experiment tool (not a test, not run by the build): trains the Bayesian LeNet-5 (LRT,
 * softplus, prior N(0, 0.1²), Adam 1e-3, batch 256, standard β, seed 1, 10% validation) on the
 * full Fashion-MNIST training set and saves it after EVERY epoch (atomically), so that a run cut
 * short still leaves the latest model. Used by {@link PruneExperiment} (docs/PRUNING.md).
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp engine/target/classes:tools/target/classes:COMMONS_COMPRESS \
 *     io.bnn4j.prune.TrainFullLenet /usr/share/datasets/fashion-mnist /work/models/lenet5-full.bnn 20 2
 * </pre>
 * Arguments: data directory, output file, epochs, threads.
 */
public final class TrainFullLenet {

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]), out = Path.of(args[1]);
        int epochs = Integer.parseInt(args[2]), threads = Integer.parseInt(args[3]);
        Dataset train = Datasets.load(data, Split.TRAIN);
        Dataset test = Datasets.load(data, Split.TEST);
        ModelSpec spec = ModelSpec.of(ModelSpec.LENET5, 1, 10);
        TrainConfig cfg = TrainConfig.plain().withEpochs(epochs).withSeed(1).withThreads(threads);
        ModelStore.ModelInfo info = new ModelStore.ModelInfo(train.classNames(), io.bnn4j.data.ImageTransform.PAD, 1, 0, train.digest(), io.bnn4j.bayes.KlKind.STANDARD);
        try (Model model = Model.create(spec, 1);
             Trainer trainer = new Trainer(model, cfg, DatasetSource.padded(train, spec.inputShape()))) {
            System.out.printf(Locale.ROOT, "train %d, valid %d, test %d, threads %d%n", trainer.trainCount(), trainer.validCount(),
                    test.size(), threads);
            trainer.fit(s -> System.out.printf(Locale.ROOT,
                    "epoch %d loss %.4f nll %.4f kl %.0f train %.4f valid %.4f (%.1f s, %.0f img/s)%n", s.epoch(), s.loss(), s.nll(),
                    s.kl(), s.trainAccuracy(), s.validAccuracy(), s.seconds(), s.imagesPerSecond()),
                    (m, state, s) -> {
                        ModelStore.save(m, new ModelStore.ModelInfo(info.classNames(), io.bnn4j.data.ImageTransform.PAD, 1, s.epoch(), info.dataDigest(), io.bnn4j.bayes.KlKind.STANDARD),
                                null, out);
                        if (s.epoch() % 5 == 0 || s.epoch() == epochs) {
                            Evaluation e = trainer.evaluate(DatasetSource.padded(test, spec.inputShape()), 10, 7);
                            System.out.printf(Locale.ROOT, "  after epoch %d: test accuracy %.4f nll %.4f (10 MC samples)%n",
                                    s.epoch(), e.accuracy(), e.nll());
                        }
                        System.out.flush();
                    });
        }
    }
}
