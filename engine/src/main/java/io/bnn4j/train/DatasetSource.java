package io.bnn4j.train;

import io.bnn4j.data.Dataset;
import io.bnn4j.data.ImageTransform;
import io.bnn4j.nn.ImageShape;

import java.lang.foreign.MemorySegment;

/**
 * A {@link Dataset} seen at a model's input shape: 28×28 images are zero-padded to 32×32
 * ({@link ImageTransform#PAD}, the classic LeNet-5 input and the PyTorch anchor's choice) or
 * resized; channels converted (gray ↔ RGB).
 */
public final class DatasetSource implements BatchSource {

    private final Dataset data;
    private final ImageShape target;
    private final ImageTransform transform;

    public DatasetSource(Dataset data, ImageShape target, ImageTransform transform) {
        this.data = data;
        this.target = target;
        this.transform = transform;
    }

    /** Zero-padding to the model's input. */
    public static DatasetSource padded(Dataset data, ImageShape target) {
        return new DatasetSource(data, target, ImageTransform.PAD);
    }

    public Dataset dataset() { return data; }

    @Override public int size() { return data.size(); }

    @Override public int channels() { return target.c(); }

    @Override public int height() { return target.h(); }

    @Override public int width() { return target.w(); }

    @Override public boolean hasLabels() { return data.hasLabels(); }

    /** The label of example i; only for a labelled dataset. */
    @Override public int label(int i) { return data.label(i); }

    @Override
    public void writeBatch(int[] indices, int from, int count, MemorySegment dst, long dstOff) {
        data.writeBatch(indices, from, count, dst, dstOff, target.c(), target.h(), target.w(), transform);
    }
}
