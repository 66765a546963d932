package io.bnn4j.job;

import io.bnn4j.BnnInputException;
import io.bnn4j.Progress;
import io.bnn4j.data.Dataset;
import io.bnn4j.data.IdxFiles;
import io.bnn4j.data.ImageTransform;
import io.bnn4j.io.ModelStore;
import io.bnn4j.io.ModelStore.Loaded;
import io.bnn4j.nn.ImageShape;
import io.bnn4j.parallel.Parallel;
import io.bnn4j.uncertainty.McPrediction;
import io.bnn4j.uncertainty.Normalization;
import io.bnn4j.uncertainty.Predictor;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Predicts image files (PNG, JPEG: the model's transform when the image fits its input, else a
 * bilinear resize) and IDX image files (every image, in batches over the threads), in order.
 *
 * <p>Each input is read whole before any of its predictions is passed on, so a truncated file
 * yields no partial output of its own. An image file's noise is keyed by its file name
 * ({@link Predictor#rowKey}): it scores the same alone or among other inputs, and as the same
 * file scored by the Spark scorer. An IDX file's images take one noise stream per batch.
 *
 * @param samples T Monte-Carlo samples, or 0 for one pass with the mean weights
 * @param limit   the first N images of each IDX input, or null for all
 */
public record PredictJob(Path model, int samples, Normalization normalization, List<Path> inputs, long seed, int threads,
                         Integer limit) {

    public PredictJob {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(normalization, "normalization");
        inputs = List.copyOf(inputs);
        if (samples < 0) throw new IllegalArgumentException("samples must be >= 0, got " + samples);
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }

    /**
     * One prediction.
     *
     * @param index      the image's index within an IDX input, or null for an image file
     * @param label      the predicted class's name
     * @param prediction the Monte-Carlo summary; reused by the next item: copy what you keep
     */
    public record Item(Path input, Integer index, String label, McPrediction prediction) {}

    /** Runs the job, passing every prediction to {@code out} in input order. */
    public void run(Progress progress, Consumer<Item> out) {
        try (Loaded loaded = ModelStore.loadClassifier(model); Parallel par = new Parallel(threads);
             Predictor predictor = Predictor.builder(loaded.model()).samples(samples).normalization(normalization).seed(seed)
                     .classNames(loaded.info().classNames()).inputTransform(loaded.info().inputTransform()).build();
             Predictor.Context ctx = predictor.newContext(par)) {
            ImageShape in = loaded.model().inputShape();
            ImageTransform transform = loaded.info().inputTransform();
            for (Path input : inputs) {
                if (IdxFiles.isImagesFile(input)) {
                    Dataset images = IdxFiles.readImages(input);
                    int n = limit == null ? images.size() : Math.min(limit, images.size());
                    int chunk = predictor.maxBatch();
                    float[] buf = new float[chunk * in.size()];
                    MemorySegment seg = MemorySegment.ofArray(buf);
                    int[] indices = new int[n];
                    for (int i = 0; i < n; i++) indices[i] = i;
                    progress.start(input.getFileName().toString(), n);
                    for (int from = 0; from < n; from += chunk) {
                        int m = Math.min(chunk, n - from);
                        images.writeBatch(indices, from, m, seg, 0, in.c(), in.h(), in.w(), transform);
                        int base = from;
                        ctx.predictBatch(buf, 0, m, (i, p) -> out.accept(new Item(input, base + i, predictor.className(p.predicted()), p)));
                        progress.advance(m);
                    }
                    progress.done();
                } else {
                    if (isIdxLabels(input)) {
                        throw new BnnInputException(input + ": is an IDX labels file; predict takes IDX images files or image files (PNG, JPEG)");
                    }
                    McPrediction p = ctx.predictKeyed(predictor.readImage(input), Predictor.rowKey(input.getFileName().toString()));
                    out.accept(new Item(input, null, predictor.className(p.predicted()), p));
                }
            }
        }
    }

    private static boolean isIdxLabels(Path file) {
        try {
            IdxFiles.count(file, false);
            return true;
        } catch (BnnInputException e) {
            return false;
        }
    }
}
