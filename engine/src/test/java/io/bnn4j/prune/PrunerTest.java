package io.bnn4j.prune;

import io.bnn4j.data.Dataset;
import io.bnn4j.data.Datasets;
import io.bnn4j.data.ImageTransform;
import io.bnn4j.data.Split;
import io.bnn4j.io.ModelFile;
import io.bnn4j.io.ModelStore;
import io.bnn4j.io.ModelSummary;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.train.DatasetSource;
import io.bnn4j.train.TrainConfig;
import io.bnn4j.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.bnn4j.prune.PruneTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class PrunerTest {

    static final List<String> CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    static ModelStore.ModelInfo info() {
        return new ModelStore.ModelInfo(CLASSES, io.bnn4j.data.ImageTransform.PAD, 1, 1, null, io.bnn4j.bayes.KlKind.STANDARD);
    }

    static Path sample() {
        return io.bnn4j.TestFiles.fashionSample();
    }

    /** A small LeNet-5 (widths 6, 16, 40, 30), freshly initialized: the plumbing tests need no accuracy. */
    static Model small() {
        return Model.create(ModelSpec.of("lenet5", 1, 10).withWidths(6, 16, 40, 30), 3);
    }

    @Test
    void fineTuningKeepsRemovedWeightsAtExactZero() {
        Dataset train = Datasets.load(sample(), Split.TRAIN);
        try (Model m = small()) {
            WeightPruner.prune(m, PruneMethod.SNR, 0.8, PruneScope.GLOBAL);
            float[] before = m.allMu().toArray();
            TrainConfig cfg = TrainConfig.plain().withBatchSize(32).withValidFraction(0)
                    .withBeta(new io.bnn4j.bayes.BetaSchedule.Constant(0.001)).withSeed(4);
            // through the Trainer directly: the optimizer itself must keep +0.0 (no canonicalizing afterwards)
            try (Trainer t = new Trainer(m, cfg.withEpochs(1), DatasetSource.padded(train.limit(256), m.inputShape()))) {
                t.fit(null, null);
            }
            assertEquals(0, Masks.violations(m), "μ = 0 and σ = 0 where removed");
            assertEquals(0, Masks.nonCanonicalZeros(m), "and still +0.0 bit for bit in μ and ρ");
            float[] after = m.allMu().toArray();
            int changed = 0;
            for (int i = 0; i < after.length; i++) if (after[i] != before[i]) changed++;
            assertTrue(changed > m.activeMeanCount() / 2, "fine-tuning moved the kept weights (" + changed + ")");
            // and through FineTuning, which checks the same
            FineTuning.fineTune(m, train.limit(128), ImageTransform.PAD, 1, cfg, null);
            assertEquals(0, Masks.violations(m));
            assertEquals(0.8, Masks.weightSparsity(m), 1e-4);
        }
    }

    @Test
    void snrPrunedLenetFileIsMuchSmallerAndLoadsBack(@TempDir Path dir) throws Exception {
        try (Model m = Model.create(ModelSpec.of("lenet5", 1, 10), 2); Model p = Pruner.prune(m, PruneMethod.SNR, 0.9, PruneScope.GLOBAL)) {
            long dense = ModelStore.save(m, info(), null, dir.resolve("dense.bnn"));
            long sparse = ModelStore.save(p, info(), null, dir.resolve("sparse.bnn"));
            // μ and ρ: 10% nonzero of 61,470 weights → bitmap + values ≈ 0.16 of dense each; the masks add about as much
            assertTrue(sparse < 0.3 * dense, "pruned file " + sparse + " bytes vs " + dense);
            ModelSummary s = ModelFile.inspect(dir.resolve("sparse.bnn"));
            assertEquals(61_706, s.means());
            assertEquals(Masks.removedWeights(p), s.zeroMeans(), "every removed weight is a stored zero, no −0.0");
            assertEquals(0.9 * 61_470 / 61_706, (double) s.zeroMeans() / s.means(), 1e-4);
            try (ModelStore.Loaded l = ModelStore.load(dir.resolve("sparse.bnn"))) {
                assertEquals(Masks.removedWeights(p), Masks.removedWeights(l.model()));
                assertEquals(0, Masks.violations(l.model()));
                float[] x = images(m, 3, 1);
                assertArrayEquals(meanLogits(p, x), meanLogits(l.model(), x));
            }
        }
    }

    @Test
    void l1FilterModelSavesSmallerAndLoadsWithItsWidths(@TempDir Path dir) throws Exception {
        try (Model m = Model.create(ModelSpec.of("lenet5", 1, 10), 2); Model p = Pruner.prune(m, PruneMethod.L1_FILTER, 0.5, null)) {
            long dense = ModelStore.save(m, info(), null, dir.resolve("dense.bnn"));
            long small = ModelStore.save(p, info(), null, dir.resolve("small.bnn"));
            assertTrue(small < 0.4 * dense, small + " vs " + dense);
            try (ModelStore.Loaded l = ModelStore.load(dir.resolve("small.bnn"))) {
                assertArrayEquals(new int[]{3, 8, 60, 42}, l.model().spec().widths());
                float[] x = images(m, 2, 1);
                assertArrayEquals(meanLogits(p, x), meanLogits(l.model(), x));
            }
        }
    }

    @Test
    void runReportsBeforeAndAfterAndLeavesTheSourceAlone(@TempDir Path dir) {
        // few images and 2 samples: this checks the plumbing, and cold (not yet compiled) vector code is slow
        Dataset train = Datasets.load(sample(), Split.TRAIN), test = Datasets.load(sample(), Split.TEST).limit(64);
        Dataset ood = Dataset.unlabelled("noise", 1, 28, 28, noiseBytes(32, 28 * 28));
        try (Model m = small()) {
            float[] mu = m.allMu().toArray();
            Pruner.FileSizer sizer = model -> ModelStore.save(model, info(), null, dir.resolve("probe.bnn"));
            List<String> lines = new java.util.ArrayList<>();
            Pruner.Request r = Pruner.Request.of(PruneMethod.SNR, 0.7, test).withOod(ood).withFineTune(train.limit(128), 1, null)
                    .withLatencyCalls(3, 5).withThreads(2).withSamples(2);
            try (Pruner.Outcome o = Pruner.run(m, r, sizer, io.bnn4j.Progress.notes(lines::add))) {
                PruneReport rep = o.report();
                assertArrayEquals(mu, m.allMu().toArray(), "the source model is unchanged");
                assertEquals("snr", rep.method());
                assertEquals(PruneScope.GLOBAL, rep.scope());
                assertEquals(0.7, rep.weightSparsity(), 1e-4);
                assertEquals(m.meanCount(), rep.parametersBefore());
                assertEquals(o.pruned().activeMeanCount(), rep.parametersAfter());
                assertTrue(rep.after().fileBytes() < rep.before().fileBytes());
                assertEquals(2 * rep.parametersAfter(), rep.after().learnedValues());
                for (Measurement me : List.of(rep.before(), rep.after())) {
                    assertTrue(me.accuracy() >= 0 && me.accuracy() <= 1, "accuracy " + me.accuracy());
                    assertTrue(me.ece() >= 0 && me.ece() <= 1);
                    assertTrue(me.nll() > 0);
                    assertTrue(me.aurocEntropy() >= 0 && me.aurocEntropy() <= 1);
                    assertTrue(me.latencyMs() > 0);
                    assertEquals(2, me.samples());
                }
                assertEquals(0, Masks.violations(o.pruned()));
                assertEquals(2, r.fineTuneConfig().threads(), "fine-tuning follows the request's threads");
                assertEquals(7, r.withSeed(7).fineTuneConfig().seed(), "and its seed, set after withFineTune");
                assertTrue(lines.stream().anyMatch(s -> s.startsWith("fine-tune epoch 1/1")), lines.toString());
                assertEquals(List.of("method", "sparsity", "parameters_before", "parameters_after", "accuracy_before", "accuracy_after",
                        "ece_before", "ece_after", "latency_ms_before", "latency_ms_after"), List.copyOf(rep.designFields().keySet()));
            }
            // l1-filter, no fine-tuning, no OOD: smaller widths, NaN AUROC
            try (Pruner.Outcome o = Pruner.run(m, Pruner.Request.of(PruneMethod.L1_FILTER, 0.5, test).withLatencyCalls(3, 5).withSamples(2), null, null)) {
                PruneReport rep = o.report();
                assertNull(rep.scope());
                assertArrayEquals(new int[]{6, 16, 40, 30}, rep.widthsBefore());
                assertArrayEquals(new int[]{3, 8, 20, 15}, rep.widthsAfter());
                assertEquals(o.pruned().meanCount(), rep.parametersAfter());
                assertTrue(rep.weightSparsity() > 0.5);
                assertTrue(Double.isNaN(rep.after().aurocEntropy()));
                assertEquals(0, rep.after().fileBytes(), "no sizer: 0");
            }
        }
    }

    @Test
    void sameSeedSameFigures() {
        Dataset test = Datasets.load(sample(), Split.TEST).limit(64);
        try (Model m = Model.create(ModelSpec.of("lenet5", 1, 10).withWidths(4, 8, 20, 20), 1)) {
            Pruner.Request r = Pruner.Request.of(PruneMethod.MAGNITUDE, 0.0, test).withLatencyCalls(1, 1).withSamples(3);
            try (Pruner.Outcome o = Pruner.run(m, r, null, null)) {
                // sparsity 0 and the same evaluation noise: the same figures before and after, up to
                // the last bits of double exp/log (interpreted and compiled Math.log may differ by an ulp)
                assertEquals(o.report().before().accuracy(), o.report().after().accuracy());
                assertEquals(o.report().before().nll(), o.report().after().nll(), 1e-9);
                assertEquals(o.report().before().ece(), o.report().after().ece(), 1e-9);
                assertEquals(o.report().parametersBefore(), o.report().parametersAfter());
            }
        }
    }

    static byte[] noiseBytes(int n, int size) {
        byte[] b = new byte[n * size];
        new java.util.Random(5).nextBytes(b);
        return b;
    }
}
