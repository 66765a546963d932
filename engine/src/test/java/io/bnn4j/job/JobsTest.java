package io.bnn4j.job;

import io.bnn4j.BnnInputException;
import io.bnn4j.Progress;
import io.bnn4j.bayes.BetaSchedule;
import io.bnn4j.io.ModelStore;
import io.bnn4j.nn.Estimator;
import io.bnn4j.prune.PruneMethod;
import io.bnn4j.train.EpochStats;
import io.bnn4j.train.Init;
import io.bnn4j.uncertainty.Latency;
import io.bnn4j.uncertainty.Normalization;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The jobs as a library user runs them, on a few hundred images of the bundled sample: what each
 * returns and writes, and the checks a resumed run makes. The command line's tests run the same
 * jobs through {@code bnn}.
 */
class JobsTest {

    @TempDir
    static Path dir;

    static Path sample, model;
    static TrainJob job;

    @BeforeAll
    static void train() {
        sample = io.bnn4j.TestFiles.fashionSample();
        model = dir.resolve("model.bnn");
        TrainJob defaults = TrainJob.of(sample, model);
        job = new TrainJob(sample, defaults.arch(), defaults.estimator(), defaults.activation(), defaults.priorSigma(),
                defaults.dropout(), defaults.config().withEpochs(2).withInit(new Init.Random()).withThreads(2), 300, true, model,
                dir.resolve("ck.bnn"), null);
    }

    @Test
    void trainPredictEvaluatePruneConvertAndBench() throws java.io.IOException {
        List<EpochStats> epochs = new ArrayList<>();
        TrainJob.Result trained = job.run(Progress.SILENT, epochs::add);
        assertEquals(2, epochs.size());
        assertEquals(2, job.epochsOf(epochs.getFirst()));
        assertEquals(model, trained.model());
        assertNotNull(trained.testAccuracy(), "the sample has a test split");
        assertTrue(trained.testAccuracy() > 0.2, "better than chance after 2 epochs on 270 images: " + trained.testAccuracy());
        assertNotNull(trained.temperature());
        assertTrue(Files.exists(dir.resolve("ck.bnn")));

        // Resuming at the last epoch trains nothing more; a checkpoint of other data is refused.
        List<String> notes = new ArrayList<>();
        job.withCheckpoint(null, dir.resolve("ck.bnn")).run(Progress.notes(notes::add), e -> fail("no epoch left"));
        assertTrue(notes.stream().anyMatch(n -> n.contains("nothing left to train")), notes.toString());
        TrainJob other = new TrainJob(sample, job.arch(), job.estimator(), job.activation(), job.priorSigma(), job.dropout(),
                job.config(), 200, true, dir.resolve("other.bnn"), null, dir.resolve("ck.bnn"));
        BnnInputException e = assertThrows(BnnInputException.class, () -> other.run(Progress.SILENT, s -> {}));
        assertTrue(e.getMessage().contains("trained on other data"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("other.bnn")));

        Path images = sample.resolve("t10k-images-idx3-ubyte.gz");
        List<String> labels = new ArrayList<>();
        new PredictJob(model, 5, Normalization.SOFTMAX, List.of(images), 1, 2, 7).run(Progress.SILENT, item -> {
            assertEquals(labels.size(), item.index());
            assertEquals(5, item.prediction().samples());
            labels.add(item.label());
        });
        assertEquals(7, labels.size(), "--limit 7");

        EvaluateJob.Result ev = new EvaluateJob(model, sample, Path.of("noise"), 3, dir.resolve("r.png"), 1, 2).run(Progress.SILENT);
        assertEquals(trained.testAccuracy(), ev.evaluation().accuracy(), 0.05, "evaluate and train's test figure agree");
        assertNotNull(ev.ood());
        assertTrue(Files.size(dir.resolve("r.png")) > 0);

        Path pruned = dir.resolve("pruned.bnn");
        PruneJob.Result p = new PruneJob(model, PruneMethod.SNR, 0.5, null, sample, 0, 1e-3, new BetaSchedule.Constant(0.1),
                pruned, 1, 2, null).run(Progress.SILENT);
        assertEquals(pruned, p.out());
        assertTrue(p.report().parametersAfter() < p.report().parametersBefore());
        assertFalse(p.oodMeasured());
        try (ModelStore.Loaded l = ModelStore.load(pruned)) {
            assertEquals(p.report().parametersAfter(), l.model().meanCount() - io.bnn4j.prune.Masks.removedWeights(l.model()));
        }

        BenchJob.Result b = new BenchJob(model, null, null, 2, 8, 1, 1, Latency.Plan.calls(2, 3)).run(Progress.SILENT);
        assertEquals(3, b.latency().calls());
        assertEquals(Estimator.LRT, b.estimator());
        assertTrue(b.trainImagesPerSecond() > 0 && b.predictImagesPerSecond() > 0 && b.latency().medianMs() > 0);

        BnnInputException notFrequentist = assertThrows(BnnInputException.class,
                () -> new ConvertJob(model, Estimator.BBB, 0.1, 0.1, dir.resolve("c.bnn")).run());
        assertTrue(notFrequentist.getMessage().contains("is already Bayesian"), notFrequentist.getMessage());
    }
}
