package io.bnn4j.train;

import io.bnn4j.bayes.BetaSchedule;
import io.bnn4j.bayes.Prior;
import io.bnn4j.nn.Estimator;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TrainerTest {

    /** A small LeNet-5 (widths 4, 8, 32, 16) for 4 classes: fast under the scalar kernels. */
    static ModelSpec small(Estimator e) {
        return ModelSpec.of("lenet5", 1, 4).withWidths(4, 8, 32, 16).withEstimator(e);
    }

    static TrainConfig config() {
        return TrainConfig.plain().withBatchSize(24).withEpochs(1).withValidFraction(0.2).withSeed(3)
                .withBeta(new BetaSchedule.Constant(0.01));
    }

    /** μ, ρ and both optimizer moments, concatenated. */
    static float[] snapshot(Model m) {
        List<float[]> parts = new ArrayList<>(List.of(m.allMu().toArray(), m.optimizerFirstMoment().toArray(),
                m.optimizerSecondMoment().toArray()));
        if (m.bayesian()) parts.add(m.allRho().toArray());
        int n = parts.stream().mapToInt(a -> a.length).sum(), o = 0;
        float[] all = new float[n];
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, o, p.length);
            o += p.length;
        }
        return all;
    }

    static float[] train(ModelSpec spec, TrainConfig cfg, BatchSource data) {
        try (Model m = Model.create(spec, 5); Trainer t = new Trainer(m, cfg, data)) {
            t.fit(null, null);
            assertEquals(cfg.epochs() * 2L, t.state().step(), "48 training examples in batches of 24");
            return snapshot(m);
        }
    }

    @Test
    void sameSeedGivesBitIdenticalParametersForOneTwoAndThreeThreads() {
        Synthetic data = new Synthetic(60, 1);
        for (var variant : List.of(new Object[]{Estimator.LRT, Prior.defaultPrior(), 1},
                new Object[]{Estimator.BBB, Prior.blundell(), 2})) {
            ModelSpec spec = small((Estimator) variant[0]).withPrior((Prior) variant[1]);
            TrainConfig cfg = config().withTrainSamples((int) variant[2]);
            float[] one = train(spec, cfg.withThreads(1), data);
            float[] two = train(spec, cfg.withThreads(2), data);
            float[] three = train(spec, cfg.withThreads(3), data);
            assertArrayEquals(one, two, variant[0] + ": 1 vs 2 threads");
            assertArrayEquals(one, three, variant[0] + ": 1 vs 3 threads");
            float[] other = train(spec, cfg.withSeed(4), data);
            assertFalse(Arrays.equals(one, other), "another seed gives other parameters");
        }
    }

    @Test
    void resumingFromAStateContinuesExactly() {
        resumeContinuesExactly(config().withEpochs(2));
    }

    @Test
    void resumingACosineRunFollowsTheSameCurve() {
        resumeContinuesExactly(config().withEpochs(2).withLrSchedule(new LrSchedule.Cosine(0.0)));
    }

    private static void resumeContinuesExactly(TrainConfig cfg) {
        Synthetic data = new Synthetic(60, 1);
        ModelSpec spec = small(Estimator.LRT);
        float[] straight = train(spec, cfg, data);
        float[] resumed;
        // An interrupted run: the same config (a cosine curve spans all its epochs), one epoch done.
        try (Model a = Model.create(spec, 5); Trainer t = new Trainer(a, cfg, data)) {
            t.trainEpoch();
            TrainerState state = t.state();
            // "save": copy every tensor into a fresh model, as a checkpoint loader would
            try (Model b = Model.allocate(spec)) {
                copy(a.allMu(), b.allMu());
                copy(a.allRho(), b.allRho());
                copy(a.optimizerFirstMoment(), b.optimizerFirstMoment());
                copy(a.optimizerSecondMoment(), b.optimizerSecondMoment());
                b.parametersChanged();
                try (Trainer t2 = new Trainer(b, cfg, data)) {
                    t2.restore(state);
                    List<EpochStats> rest = t2.fit(null, null);
                    assertEquals(1, rest.size());
                    assertEquals(2, rest.getFirst().epoch());
                }
                resumed = snapshot(b);
            }
        }
        assertArrayEquals(straight, resumed);
    }

    private static void copy(Tensor from, Tensor to) {
        to.copyFrom(from);
    }

    @Test
    void learnsASeparableProblemAndReportsEveryEpoch() {
        List<EpochStats> seen = new ArrayList<>();
        List<Integer> checkpoints = new ArrayList<>();
        try (Model m = Model.create(small(Estimator.LRT), 5);
             // β = 0.001: with N = 128 the full KL/N (≈ 150 nats per example for 8,000 weights) keeps the
             // net on its initial plateau; the schedules themselves are tested in bayes
             Trainer t = new Trainer(m, config().withEpochs(6).withBatchSize(8).withLr(3e-3)
                     .withBeta(new BetaSchedule.Constant(0.001)), new Synthetic(160, 2))) {
            List<EpochStats> stats = t.fit(seen::add, (model, state, s) -> checkpoints.add(state.epoch()));
            assertEquals(stats, seen);
            assertEquals(List.of(1, 2, 3, 4, 5, 6), checkpoints);
            EpochStats last = stats.getLast();
            assertTrue(last.validAccuracy() >= 0.9, "validation accuracy " + last.validAccuracy());
            assertTrue(last.nll() < stats.getFirst().nll(), "NLL fell");
            for (EpochStats s : stats) {
                assertEquals(s.nll() + 0.001 * s.kl() / 128, s.loss(), 1e-9 * Math.abs(s.loss()), "loss = nll + w·KL/N");
                assertEquals(0.001, s.beta(), 1e-12);
                assertTrue(s.imagesPerSecond() > 0 && s.seconds() > 0);
            }
            Evaluation e = t.evaluate(new Synthetic(40, 99), 4, 1);
            assertTrue(e.accuracy() >= 0.9, "held-out accuracy " + e.accuracy());
        }
    }

    @Test
    void optimizersApplyTheirUpdateRulesToMeansAndRhos() {
        for (OptimizerSpec spec : List.of(OptimizerSpec.Adam.defaults(), new OptimizerSpec.Sgd(0.9))) {
            try (Model m = Model.create(small(Estimator.LRT), 5); io.bnn4j.parallel.Parallel par = new io.bnn4j.parallel.Parallel(2)) {
                int p = (int) m.meanCount();
                float[] g = new float[p], gr = new float[p], m1 = new float[2 * p], m2 = new float[2 * p];
                java.util.Random r = new java.util.Random(1);
                for (int i = 0; i < p; i++) { g[i] = (float) r.nextGaussian(); gr[i] = (float) r.nextGaussian(); }
                for (int i = 0; i < 2 * p; i++) { m1[i] = (float) (0.1 * r.nextGaussian()); m2[i] = (float) (0.01 * r.nextDouble()); }
                m.allGradMu().copyFrom(g);
                m.allGradRho().copyFrom(gr);
                m.optimizerFirstMoment().copyFrom(m1);
                m.optimizerSecondMoment().copyFrom(m2);
                float[] mu0 = m.allMu().toArray(), rho0 = m.allRho().toArray();
                new Optimizer(spec, m, par).step(1e-2, 3);
                float[] mu1 = m.allMu().toArray(), rho1 = m.allRho().toArray(), sigma = m.allSigma().toArray();
                for (int i = 0; i < p; i += 97) {
                    assertEquals(expected(spec, mu0[i], g[i], m1[i], m2[i]), mu1[i], 1e-6, spec + " mu " + i);
                    assertEquals(expected(spec, rho0[i], gr[i], m1[p + i], m2[p + i]), rho1[i], 1e-6, spec + " rho " + i);
                    assertEquals(Math.log1p(Math.exp(rho1[i])), sigma[i], 1e-6, "sigma refreshed");
                }
            }
        }
    }

    /** One update in double: Adam step t = 3 with lr 1e-2, or SGD with momentum. */
    private static double expected(OptimizerSpec spec, double p, double g, double m, double v) {
        double lr = 1e-2;
        if (spec instanceof OptimizerSpec.Sgd s) return p - lr * (s.momentum() * m + g);
        double m1 = 0.9 * m + 0.1 * g, v1 = 0.999 * v + 0.001 * g * g;
        return p - lr * (m1 / (1 - Math.pow(0.9, 3))) / (Math.sqrt(v1 / (1 - Math.pow(0.999, 3))) + 1e-8);
    }

    @Test
    void nanLossStopsBeforeTheUpdate() {
        try (Model m = Model.create(small(Estimator.LRT), 5);
             Trainer t = new Trainer(m, config().withValidFraction(0), new Synthetic(48, 1, true))) {
            float[] before = snapshot(m);
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> t.fit(null, null));
            assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("epoch 1"), e.getMessage());
            // image 0 is in the first or second minibatch; parameters are those of the last good step
            float[] after = snapshot(m);
            assertTrue(Arrays.equals(before, after) || t.state().step() == 0, "no update with a NaN loss");
        }
    }

    @Test
    void plateauRuleHalvesTheRateAfterPatienceRunsOut() {
        Plateau p = new Plateau(0.5, 1, 1e-4);
        TrainerState s = TrainerState.initial(1e-3);
        s = Trainer.afterEpoch(s, 1, 10, 1.0, p);
        assertEquals(1.0, s.bestValidNll());
        s = Trainer.afterEpoch(s, 2, 20, 1.05, p);   // 1 bad epoch: within patience
        assertEquals(1e-3, s.lr());
        s = Trainer.afterEpoch(s, 3, 30, 1.0, p);    // not better by 1e-4: 2 bad → halve
        assertEquals(5e-4, s.lr(), 1e-15);
        assertEquals(0, s.badEpochs());
        s = Trainer.afterEpoch(s, 4, 40, 0.8, p);
        assertEquals(0.8, s.bestValidNll());
        assertEquals(5e-4, s.lr(), 1e-15);
        TrainerState none = Trainer.afterEpoch(TrainerState.initial(1e-3), 1, 1, Double.NaN, p);
        assertEquals(Double.POSITIVE_INFINITY, none.bestValidNll());
        for (int i = 0; i < 5; i++) s = Trainer.afterEpoch(s, 5 + i, 50, 2.0, null);
        assertEquals(5e-4, s.lr(), 1e-15, "no plateau rule, no change");
    }

    @Test
    void cosineScheduleFollowsItsFormula() {
        LrSchedule.Cosine c = new LrSchedule.Cosine(0.0);
        assertEquals(1e-3, c.lr(1e-3, 0, 100), 1e-18);
        assertEquals(0.5e-3, c.lr(1e-3, 50, 100), 1e-15);
        assertEquals(1e-3 * (1 + Math.cos(Math.PI * 0.25)) / 2, c.lr(1e-3, 25, 100), 1e-15);
        assertEquals(0.0, c.lr(1e-3, 100, 100), 1e-18);
        assertEquals(0.0, c.lr(1e-3, 150, 100), 1e-18, "past the end it stays at the floor");
        LrSchedule.Cosine floor = new LrSchedule.Cosine(0.1);
        assertEquals(1e-4, floor.lr(1e-3, 100, 100), 1e-15);
        assertEquals(1e-4 + 0.9e-3 * 0.5, floor.lr(1e-3, 50, 100), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule.Cosine(1.0));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule.Cosine(-0.1));
    }

    @Test
    void cosineRunReportsTheRateOfEachEpochAndChangesTheResult() {
        Synthetic data = new Synthetic(60, 1);
        TrainConfig cfg = config().withEpochs(2).withLr(1e-2);   // 2 epochs × 2 steps: S = 4
        float[] constant = train(small(Estimator.LRT), cfg, data);
        try (Model m = Model.create(small(Estimator.LRT), 5);
             Trainer t = new Trainer(m, cfg.withLrSchedule(new LrSchedule.Cosine(0.0)), data)) {
            List<EpochStats> stats = t.fit(null, null);
            assertEquals(1e-2, stats.get(0).lr(), 1e-15, "epoch 1 starts at lr_0");
            assertEquals(0.5e-2, stats.get(1).lr(), 1e-15, "epoch 2 starts half way down: step 2 of 4");
            assertEquals(1e-2, t.state().lr(), "the state's rate (the plateau rule's) is untouched");
            assertFalse(Arrays.equals(constant, snapshot(m)), "the annealed run differs from the constant one");
        }
    }

    @Test
    void shuffleIsASeededPermutation() {
        int[] a = new int[1000], b = new int[1000], c = new int[1000];
        for (int i = 0; i < 1000; i++) a[i] = b[i] = c[i] = i;
        Shuffle.shuffle(a, 1, 2);
        Shuffle.shuffle(b, 1, 2);
        Shuffle.shuffle(c, 1, 3);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 1000; i++) assertEquals(i, sorted[i]);
        int fixed = 0;
        for (int i = 0; i < 1000; i++) if (a[i] == i) fixed++;
        assertTrue(fixed < 10, "a shuffle leaves few fixed points, got " + fixed);
    }
}
