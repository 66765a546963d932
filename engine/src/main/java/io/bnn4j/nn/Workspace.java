package io.bnn4j.nn;

import io.bnn4j.kernel.Kernels;
import io.bnn4j.parallel.Parallel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Everything one user of a model (a training run, an inference session) needs to run the
 * network, allocated once in its own shared arena and sized for {@code maxBatch} images ×
 * {@code maxSamples} Monte-Carlo samples: activations, the layers' saved intermediates and
 * noise, weight draws, and (training) the gradient buffers.
 *
 * <p>The expanded batch: sample t of image i is example e = t·batch + i. The input holds only
 * the {@code batch} images (every sample of the first layer reads it). Work is split into runs
 * of examples by the caller; distinct runs touch disjoint rows of every buffer, so they may run
 * on different threads.
 */
final class Workspace implements AutoCloseable {

    enum Mode { MEAN, SAMPLE }

    final Model model;
    final Kernels k = Kernels.instance();
    /** Kernels inside a run are serial: parallelism is over runs, so results never depend on the thread count. */
    final Parallel kernelPar = Parallel.serial();
    final Arena arena = Arena.ofShared();
    final int maxBatch, maxSamples, maxImages;
    final boolean training;
    final List<Layer> layers;
    final MemorySegment[] act;           // act[l]: input of layer l (l ≥ 1); act[L]: logits (maxImages, classes)
    final Object[] buffers;
    final MemorySegment dLogits;         // training: ∂L/∂logits (maxImages, classes), row e
    final MemorySegment gradA, gradB;    // training: ∂L/∂activations, ping-pong; the run from example e owns
                                         // floats [e·largest, (e + count)·largest) and stores (count, size) there
    final long largest;                  // floats of the largest activation of one example
    final MemorySegment drawEps, drawW;  // BBB: ε_t and W_t = μ + σ ⊙ ε_t; Flipout: ε_t and ΔW_t = σ ⊙ ε_t; (maxSamples, P)

    /** Per layer and run length: the kernels' geometry records, made once (no allocation in steady state). */
    final Object[][] geometries;

    // the pass in flight
    Mode mode = Mode.MEAN;
    long seed, step;
    int kind = Noise.PREDICT;
    int batch, samples = 1;
    MemorySegment input;
    long inputOff;

    Workspace(Model model, int maxBatch, int maxSamples, boolean training) {
        if (maxBatch < 1 || maxSamples < 1) throw new IllegalArgumentException("batch and samples must be >= 1, got " + maxBatch + ", " + maxSamples);
        this.model = model;
        this.maxBatch = maxBatch;
        this.maxSamples = maxSamples;
        this.maxImages = Math.multiplyExact(maxBatch, maxSamples);
        this.training = training;
        this.layers = model.layers();
        int n = layers.size();
        this.act = new MemorySegment[n + 1];
        this.buffers = new Object[n];
        // per layer, the geometry of a call on `count` rows (count ≤ maxImages: a whole block of
        // samples can run as one batch of maxBatch × maxSamples rows), made once
        this.geometries = new Object[n][maxImages + 1];
        long largest = model.inputShape().size();
        act[0] = allocateFloats((long) maxBatch * model.inputShape().size());
        for (int l = 0; l < n; l++) {
            Layer layer = layers.get(l);
            act[l + 1] = layer.aliasesInput() && l > 0 ? act[l] : allocateFloats((long) maxImages * layer.outSize);
            buffers[l] = layer.buffers(this);
            largest = Math.max(largest, Math.max(layer.inSize, layer.outSize));
        }
        this.largest = largest;
        if (training) {
            dLogits = allocateFloats((long) maxImages * model.numClasses());
            gradA = allocateFloats(maxImages * largest);
            gradB = allocateFloats(maxImages * largest);
        } else {
            dLogits = gradA = gradB = null;
        }
        if (model.estimator().drawsWeights()) {
            drawEps = allocateFloats((long) maxSamples * model.meanCount());
            drawW = allocateFloats((long) maxSamples * model.meanCount());
        } else {
            drawEps = drawW = null;
        }
    }

    MemorySegment allocate(long bytes) {
        return arena.allocate(Math.max(bytes, 4), 64);
    }

    MemorySegment allocateFloats(long floats) {
        return allocate(floats * Float.BYTES);
    }

    void setPass(Mode mode, long seed, int kind, long step, int batch, int samples, MemorySegment input, long inputOff) {
        if (batch < 1 || batch > maxBatch) throw new IllegalArgumentException("batch " + batch + " outside 1.." + maxBatch);
        if (samples < 1 || samples > maxSamples) throw new IllegalArgumentException("samples " + samples + " outside 1.." + maxSamples);
        this.mode = mode;
        this.seed = seed;
        this.kind = kind;
        this.step = step;
        this.batch = batch;
        this.samples = samples;
        this.input = input;
        this.inputOff = inputOff;
    }

    /** Offset in drawW / drawEps of the weight draw used by expanded example e. */
    long drawOffset(int e) {
        return (long) (e / batch) * model.meanCount();
    }

    /**
     * BBB and Flipout: for flat parameter indices [from, to) and every sample t: ε_t ~ N(0, 1)
     * from stream (kind, step, WEIGHT_DRAW) at counter t·P + i; BBB's W_t = μ + σ ⊙ ε_t,
     * Flipout's ΔW_t = σ ⊙ ε_t (σ = 0 where masked).
     */
    void drawWeights(int from, int to) {
        int len = to - from;
        long p = model.meanCount();
        long stream = Noise.stream(kind, step, 0, Noise.WEIGHT_DRAW);
        MemorySegment seg = model.segment();
        for (int t = 0; t < samples; t++) {
            long o = t * p + from;
            k.fillGaussian(kernelPar, seed, stream, o, len, drawEps, o);
            k.mul(len, seg, model.sigmaBase() + from, drawEps, o, drawW, o);
            if (model.estimator() == Estimator.BBB) k.axpy(len, 1f, seg, model.muBase() + from, drawW, o);
        }
    }

    /** Forward of examples [first, first + count) (one sample's run) through layers fromLayer..L−1. */
    void forward(int first, int count, int fromLayer) {
        for (int l = fromLayer; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            MemorySegment x = l == 0 ? input : act[l];
            long xOff = l == 0 ? inputOff + (long) (first % batch) * layer.inSize : (long) first * layer.inSize;
            layer.forward(this, buffers[l], x, xOff, act[l + 1], (long) first * layer.outSize, first, count);
        }
    }

    /**
     * Backward of examples [first, first + count) (one sample's run), starting from ∂L/∂logits
     * in dLogits at their rows; parameter gradients go to {@code g}. The input's gradient is not
     * computed. Activation gradients of the run live in gradA/gradB at first·largest (runs never
     * overlap there, whatever the layer sizes).
     */
    void backward(int first, int count, GradTarget g) {
        MemorySegment dy = dLogits, spare = gradA;
        long dyOff = (long) first * model.numClasses(), run = first * largest;
        for (int l = layers.size() - 1; l >= 0; l--) {
            Layer layer = layers.get(l);
            if (layer.aliasesInput() && l > 0) continue;
            MemorySegment x = l == 0 ? input : act[l];
            long xOff = l == 0 ? inputOff + (long) (first % batch) * layer.inSize : (long) first * layer.inSize;
            MemorySegment dx = l == 0 ? null : spare;
            layer.backward(this, buffers[l], x, xOff, act[l + 1], (long) first * layer.outSize, dy, dyOff, dx, run, first, count, g);
            if (dx != null) {
                spare = dx == gradA ? gradB : gradA;
                dy = dx;
                dyOff = run;
            }
        }
    }

    /** Logits: (maxImages, classes), row e. */
    MemorySegment logits() {
        return act[layers.size()];
    }

    @Override
    public void close() {
        arena.close();
    }
}
