package io.bnn4j.train;

import io.bnn4j.bayes.BetaSchedule;
import io.bnn4j.nn.Estimator;
import io.bnn4j.nn.Model;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class MopedTest {

    @Test
    void initializeSetsMuToTheWeightsAndSigmaToDeltaTimesTheirMagnitude() {
        try (Model twin = Model.create(TrainerTest.small(Estimator.NONE), 1); Model bayes = Model.create(TrainerTest.small(Estimator.LRT), 2)) {
            float[] w = twin.allMu().toArray();
            w[0] = 0f;                                     // a zero weight gets the σ floor
            twin.allMu().copyFrom(w);
            float[] mask = new float[twin.parameters().getFirst().size()];
            java.util.Arrays.fill(mask, 1f);
            mask[3] = 0f;
            twin.parameters().getFirst().setMask(mask);
            w = twin.allMu().toArray();
            Moped.initialize(twin, bayes, 0.2);
            assertArrayEquals(w, bayes.allMu().toArray(), "μ = w");
            float[] sigma = bayes.allSigma().toArray();
            assertEquals(Init.Moped.SIGMA_FLOOR, sigma[0], 1e-9, "σ floor for w = 0");
            assertEquals(0f, sigma[3], "a masked weight stays masked (σ = 0)");
            for (int i = 4; i < sigma.length; i++) {
                double want = Math.max(0.2 * Math.abs(w[i]), Init.Moped.SIGMA_FLOOR);
                assertEquals(want, sigma[i], 1e-6 * want + 1e-9, "σ = δ|w| at " + i);
            }
            assertNotNull(bayes.parameters().getFirst().mask(), "masks carry over");
        }
    }

    @Test
    void initializeRejectsAFrequentistTargetAndOtherShapes() {
        try (Model a = Model.create(TrainerTest.small(Estimator.NONE), 1); Model b = Model.create(TrainerTest.small(Estimator.NONE), 2);
             Model c = Model.create(TrainerTest.small(Estimator.LRT).withWidths(4, 8, 32, 15), 3)) {
            assertThrows(IllegalArgumentException.class, () -> Moped.initialize(a, b, 0.1));
            assertThrows(IllegalArgumentException.class, () -> Moped.initialize(a, c, 0.1));
            assertThrows(IllegalArgumentException.class, () -> new Init.Moped(0, 1));
            assertThrows(IllegalArgumentException.class, () -> new Init.Moped(0.1, 0));
        }
    }

    @Test
    void trainerPretrainsTheTwinOnTheSameSplitThenStartsFromIt() {
        Synthetic data = new Synthetic(60, 1);
        TrainConfig cfg = TrainerTest.config().withBeta(new BetaSchedule.Constant(0.01)).withInit(new Init.Moped(0.1, 2));
        // the twin trained on its own, with the same split, seed and learning rate
        float[] twinWeights;
        try (Model twin = Model.create(Moped.twinSpec(TrainerTest.small(Estimator.LRT)), cfg.seed());
             Trainer t = new Trainer(twin, cfg.withInit(new Init.Random()).withEpochs(2), data)) {
            t.fit(null, null);
            twinWeights = twin.allMu().toArray();
        }
        List<EpochStats> seen = new ArrayList<>();
        try (Model m = Model.create(TrainerTest.small(Estimator.LRT), 5); Trainer t = new Trainer(m, cfg.withEpochs(0), data)) {
            t.fit(seen::add, null);
            assertArrayEquals(twinWeights, m.allMu().toArray(), "μ = the twin's weights after its 2 epochs");
            assertEquals(0, t.state().step(), "no Bayesian step yet");
        }
        assertEquals(2, seen.size());
        assertTrue(seen.stream().allMatch(EpochStats::pretraining));
        assertEquals(List.of(1, 2), seen.stream().map(EpochStats::epoch).toList());
        // with Bayesian epochs: pretraining first, then the model's own epochs
        seen.clear();
        try (Model m = Model.create(TrainerTest.small(Estimator.LRT), 5); Trainer t = new Trainer(m, cfg.withEpochs(1), data)) {
            t.fit(seen::add, null);
        }
        assertEquals(List.of(true, true, false), seen.stream().map(EpochStats::pretraining).toList());
    }

    @Test
    void centredPriorTakesTheTwinsWeightsAndACheckpointKeepsThem(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Synthetic data = new Synthetic(60, 1);
        TrainConfig cfg = TrainerTest.config().withBeta(new BetaSchedule.Constant(0.5)).withInit(new Init.Moped(0.1, 1, true));
        java.nio.file.Path file = dir.resolve("ck.bnn");
        float[] twinWeights;
        try (Model m = Model.create(TrainerTest.small(Estimator.LRT), 5); Trainer t = new Trainer(m, cfg.withEpochs(0), data)) {
            assertNull(m.priorMeans());
            t.fit(null, null);
            twinWeights = m.allMu().toArray();
            assertArrayEquals(twinWeights, m.priorMeans().toArray(), "prior means = the twin's weights");
            // one Bayesian epoch moves μ but not the prior's means
            try (Trainer t2 = new Trainer(m, cfg.withEpochs(1), data)) {
                t2.restore(t.state());
                t2.trainEpoch();
                assertFalse(java.util.Arrays.equals(twinWeights, m.allMu().toArray()));
                assertArrayEquals(twinWeights, m.priorMeans().toArray());
                io.bnn4j.io.ModelStore.save(m, new io.bnn4j.io.ModelStore.ModelInfo(List.of("0", "1", "2", "3"), io.bnn4j.data.ImageTransform.PAD, 5, 1, null, io.bnn4j.bayes.KlKind.STANDARD),
                        t2.state(), file);
            }
        }
        try (var loaded = io.bnn4j.io.ModelStore.load(file)) {
            assertArrayEquals(twinWeights, loaded.model().priorMeans().toArray(), "a checkpoint restores the prior means");
        }
        try (Model m = Model.create(TrainerTest.small(Estimator.LRT), 5)) {
            assertThrows(IllegalArgumentException.class, () -> m.setPriorMeans(new float[3]));
            float[] bad = new float[(int) m.meanCount()];
            bad[2] = Float.NaN;
            assertThrows(IllegalArgumentException.class, () -> m.setPriorMeans(bad));
        }
    }

    @Test
    void frequentistModelsAndResumedRunsSkipThePretraining() {
        Synthetic data = new Synthetic(60, 1);
        TrainConfig cfg = TrainerTest.config().withInit(new Init.Moped(0.1, 2));
        List<EpochStats> seen = new ArrayList<>();
        try (Model m = Model.create(TrainerTest.small(Estimator.NONE), 5); Trainer t = new Trainer(m, cfg, data)) {
            t.fit(seen::add, null);
        }
        assertEquals(1, seen.size());
        assertFalse(seen.getFirst().pretraining());
        seen.clear();
        try (Model m = Model.create(TrainerTest.small(Estimator.LRT), 5); Trainer t = new Trainer(m, cfg.withEpochs(2), data)) {
            t.restore(new TrainerState(1, 2, cfg.lr(), 1.0, 0));
            t.fit(seen::add, null);
        }
        assertEquals(1, seen.size(), "resumed at epoch 1: one epoch left, no pretraining");
        assertFalse(seen.getFirst().pretraining());
    }

    @Test
    void autoBatchSizeGivesAnEpochAtLeast64StepsBetween16And256() {
        assertEquals(256, TrainConfig.autoBatchSize(54_000));
        assertEquals(256, TrainConfig.autoBatchSize(16_384));
        assertEquals(255, TrainConfig.autoBatchSize(16_320));
        assertEquals(29, TrainConfig.autoBatchSize(1_800));
        assertEquals(16, TrainConfig.autoBatchSize(100));
        assertEquals(16, TrainConfig.autoBatchSize(1));
        assertEquals(24, TrainerTest.config().batchSizeFor(1_800), "an explicit batch size wins");
        assertEquals(29, TrainerTest.config().withBatchSize(TrainConfig.AUTO_BATCH).batchSizeFor(1_800));
    }

    @Test
    void pretrainingAndCalibrationGiveTheSameModelForAnyThreadCount() {
        Synthetic data = new Synthetic(60, 1);
        TrainConfig cfg = TrainerTest.config().withInit(new Init.Moped(0.1, 1)).withEpochs(1);
        float[][] got = new float[3][];
        double[] tau = new double[3];
        for (int threads = 1; threads <= 3; threads++) {
            try (Model m = Model.create(TrainerTest.small(Estimator.LRT), 5); Trainer t = new Trainer(m, cfg.withThreads(threads), data)) {
                t.fit(null, null);
                tau[threads - 1] = t.calibrate(4).temperature();
                got[threads - 1] = TrainerTest.snapshot(m);
            }
        }
        assertArrayEquals(got[0], got[1]);
        assertArrayEquals(got[0], got[2]);
        assertEquals(tau[0], tau[1]);
        assertEquals(tau[0], tau[2]);
    }
}
