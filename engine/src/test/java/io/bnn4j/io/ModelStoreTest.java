package io.bnn4j.io;

import io.bnn4j.BnnInputException;
import io.bnn4j.bayes.Prior;
import io.bnn4j.nn.Estimator;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.nn.Parameter;
import io.bnn4j.train.TrainerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ModelStoreTest {

    private static final List<String> CLASSES = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");

    private static ModelStore.ModelInfo info() {
        return new ModelStore.ModelInfo(CLASSES, io.bnn4j.data.ImageTransform.PAD, 7, 3, "abc123", io.bnn4j.bayes.KlKind.STANDARD);
    }

    @Test
    void roundTripKeepsEveryTensorBitForBitWithMasksAndTrainerState(@TempDir Path dir) throws Exception {
        ModelSpec spec = ModelSpec.of("lenet5", 1, 10).withPrior(Prior.gaussian(0.2)).withWidths(5, 12, 100, 80);
        Path file = dir.resolve("m.bnn");
        try (Model m = Model.create(spec, 11)) {
            Parameter p = m.parameter("conv2.weight");
            float[] mask = new float[p.size()];
            for (int i = 0; i < mask.length; i++) mask[i] = i % 3 == 0 ? 0f : 1f;
            p.setMask(mask);
            m.optimizerFirstMoment().setFlat(5, 0.25f);
            TrainerState state = new TrainerState(3, 99, 5e-4, 0.7, 1);
            ModelStore.save(m, info(), state, file);
            try (ModelStore.Loaded l = ModelStore.load(file)) {
                Model r = l.model();
                assertEquals(spec, r.spec());
                assertEquals(info(), l.info());
                assertEquals(state, l.trainerState().orElseThrow());
                assertArrayEquals(m.allMu().toArray(), r.allMu().toArray());
                assertArrayEquals(m.allRho().toArray(), r.allRho().toArray());
                // σ is derived (softplus of ρ), recomputed on load: the kernels' own exp/log1p give
                // the same bits whatever the JIT state, so σ must come back bit for bit.
                assertArrayEquals(m.allSigma().toArray(), r.allSigma().toArray());
                assertArrayEquals(m.optimizerFirstMoment().toArray(), r.optimizerFirstMoment().toArray());
                assertArrayEquals(mask, r.parameter("conv2.weight").mask().toArray());
                assertNull(r.parameter("conv1.weight").mask());
            }
        }
    }

    @Test
    void plainModelHasNoTrainerStateAndNoneModelsHaveNoRho(@TempDir Path dir) throws Exception {
        ModelSpec spec = ModelSpec.of("lenet5", 3, 10).withEstimator(Estimator.NONE);
        Path file = dir.resolve("none.bnn");
        try (Model m = Model.create(spec, 1)) {
            ModelStore.save(m, info(), null, file);
        }
        try (ModelStore.Loaded l = ModelStore.load(file)) {
            assertTrue(l.trainerState().isEmpty());
            assertNull(l.model().allRho());
            assertEquals(3, l.model().inputShape().c());
        }
    }

    @Test
    void rejectsAFileWhoseTensorsDoNotFitTheArchitecture(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.bnn");
        try (Model m = Model.create(ModelSpec.of("lenet5", 1, 10), 1)) {
            ModelStore.save(m, info(), null, file);
        }
        // same metadata, but a conv1 weight of the wrong shape
        ModelWriter w = new ModelWriter();
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            ModelFile f = ModelFile.read(file, a);
            w.metadata().putAll(f.metadata());
            for (StoredTensor t : f.tensors()) {
                if (t.name().equals("conv1.weight.mu")) w.addFloats(t.name(), new float[7], 7);
                else w.add(t.name(), t.tensor());
            }
            w.write(dir.resolve("bad2.bnn"));
        }
        BnnInputException e = assertThrows(BnnInputException.class, () -> ModelStore.load(dir.resolve("bad2.bnn")));
        assertTrue(e.getMessage().contains("conv1.weight.mu"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void rejectsNonsenseMetadata(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("x.bnn");
        new ModelWriter().metadata(md -> md.put(ModelKeys.ARCH, "resnet")).write(file);
        BnnInputException e = assertThrows(BnnInputException.class, () -> ModelStore.load(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        Files.writeString(dir.resolve("empty.bnn"), "");
        assertThrows(BnnInputException.class, () -> ModelStore.load(dir.resolve("empty.bnn")));
    }
}
