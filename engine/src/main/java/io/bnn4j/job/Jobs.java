package io.bnn4j.job;

import io.bnn4j.data.Dataset;
import io.bnn4j.data.Datasets;
import io.bnn4j.data.Split;
import io.bnn4j.data.SyntheticOod;
import io.bnn4j.io.ModelStore;
import io.bnn4j.io.ModelStore.ModelInfo;
import io.bnn4j.nn.Model;
import io.bnn4j.train.TrainerState;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** What the jobs share: which split a directory gives, the noise streams, saving with a one-line error. */
final class Jobs {

    private Jobs() {}

    /** Monte-Carlo samples of the test accuracy at the end of training and of the temperature fit. */
    static final int TEST_SAMPLES = 10;
    /** Noise stream bases, so that test and out-of-distribution passes never share draws. */
    static final long TEST_STREAM = 1L << 40, OOD_STREAM = 1L << 41;

    /** The directory's test split when it has one, else its training split. */
    static Dataset testOrTrain(Path dir) {
        return Datasets.loadIfPresent(dir, Split.TEST).orElseGet(() -> Datasets.load(dir, Split.TRAIN));
    }

    /** The OOD set: a synthetic one made from {@code base} (noise, inverted, flipped), else the directory's test or training split. */
    static Dataset oodSet(Path ood, Dataset base, long seed) {
        if (SyntheticOod.names(ood)) return SyntheticOod.of(ood.toString(), base, seed);
        return testOrTrain(ood);
    }

    /** Labels present and no class the model cannot predict. */
    static void checkLabelled(Path dir, Dataset data, Model model, String why) {
        if (!data.hasLabels()) throw new io.bnn4j.BnnInputException(dir + ": " + why + " needs labels");
        if (data.numClasses() > model.numClasses()) {
            throw new io.bnn4j.BnnInputException(dir + ": has " + data.numClasses() + " classes, the model predicts " + model.numClasses());
        }
    }

    /** Every image of {@code images} fitted to {@code shape}: n × C·H·W floats in [0, 1]. */
    static float[] pixels(Dataset images, io.bnn4j.nn.ImageShape shape, io.bnn4j.data.ImageTransform transform, Path source) {
        int n = images.size(), f = shape.size();
        if ((long) n * f > Integer.MAX_VALUE - 8) throw new io.bnn4j.BnnInputException(source + ": " + n + " images are too many to hold at once");
        float[] x = new float[n * f];
        int[] all = new int[n];
        for (int i = 0; i < n; i++) all[i] = i;
        images.writeBatch(all, 0, n, java.lang.foreign.MemorySegment.ofArray(x), 0, shape.c(), shape.h(), shape.w(), transform);
        return x;
    }

    static void save(Model model, ModelInfo info, TrainerState state, Path file) {
        try {
            ModelStore.save(model, info, state, file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot be written (" + e.getMessage() + ")", e);
        }
    }
}
