package io.bnn4j.nn;

import io.bnn4j.bayes.KlKind;
import io.bnn4j.bayes.Kl;
import io.bnn4j.bayes.Nll;
import io.bnn4j.bayes.Prior;
import io.bnn4j.kernel.Kernels;
import io.bnn4j.parallel.Parallel;

import java.lang.foreign.MemorySegment;

/**
 * One training step's gradients: forward with noise, the loss, backward, the KL, written into
 * the model's gradient tensors ({@link Parameter#gradMu()}, {@link Parameter#gradRho()}). The
 * optimizer (package train) then updates the parameters.
 *
 * <h2>Loss</h2>
 * loss = (1/B) Σ_i NLL_i + klScale·KL, where NLL_i = −log((1/T) Σ_t softmax(z_ti)[y_i]) and
 * klScale = w_i/N (β schedule weight over training examples).
 *
 * <h2>Parallelism and determinism</h2>
 * The batch is split into fixed chunks of {@link #chunkImages()} images (a function of the batch
 * size and the model only, never of the thread count). One thread runs a chunk through every
 * layer, forward, loss and backward, for all T samples, with serial kernels, writing the
 * chunk's parameter gradients into its own partial buffer. The partials are then summed in chunk
 * order, over fixed partitions of the parameters ({@link #PARTITION}), together with the KL
 * (partition sums added in partition order). Every floating-point operation therefore happens in
 * the same order whatever the number of threads: the same seed gives bit-identical parameters.
 * Noise comes from the counter-based generator at positions fixed by (step, layer, example,
 * element), see {@link Noise}.
 */
public final class Backprop implements AutoCloseable {

    /** Parameters per partition of the flat parameter space (reductions, KL, optimizer). */
    public static final int PARTITION = 8192;
    /** Bound on the gradient partials' memory when choosing the chunk count automatically. */
    static final long PARTIAL_BUDGET_BYTES = 64L << 20;
    static final int MAX_CHUNKS = 16, MIN_CHUNK_IMAGES = 8;

    private final Model model;
    private final Workspace ws;
    private final Parallel par;
    private final KlKind klKind;
    private final int samples, chunkImages, maxChunks;
    private final long p, stride;          // P and the stride of one partial (P or 2P)
    private final MemorySegment partials;  // (maxChunks, stride)
    private final MemorySegment klEps;     // LRT + scale mixture: ε for the KL's weight draws (T, P)
    private final GradTarget[] targets;
    private final double[][] nllScratch;
    private final double[] nllParts, klParts;
    private final long[][] correctParts;
    private final MemorySegment inputBuffer;
    private final int[] labels;
    private final OutputLoss loss;          // null: the classification NLL over labels

    /**
     * @param maxBatch the largest batch
     * @param samples  T, Monte-Carlo samples per image (≥ 1; only 1 makes sense for NONE)
     * @param chunks   gradient chunks per full batch, 0 = automatic (see the class doc)
     */
    public Backprop(Model model, int maxBatch, int samples, KlKind klKind, Parallel par, int chunks) {
        this(model, maxBatch, samples, klKind, par, chunks, null);
    }

    /** With another data term than the classification NLL (e.g. a Gaussian likelihood for regression). */
    public Backprop(Model model, int maxBatch, int samples, KlKind klKind, Parallel par, int chunks, OutputLoss loss) {
        this.model = model;
        this.loss = loss;
        this.par = par;
        this.klKind = klKind;
        this.samples = samples;
        if (klKind == KlKind.REVERSE && model.prior() instanceof Prior.ScaleMixture) {
            throw new IllegalArgumentException("the reverse KL is defined only for a Gaussian prior");
        }
        this.p = model.meanCount();
        this.stride = model.bayesian() ? 2 * p : p;
        if (chunks <= 0) {
            long byMemory = Math.max(1, PARTIAL_BUDGET_BYTES / (stride * Float.BYTES));
            chunks = (int) Math.min(Math.min(MAX_CHUNKS, byMemory), Math.max(1, (maxBatch + MIN_CHUNK_IMAGES - 1) / MIN_CHUNK_IMAGES));
        }
        chunks = Math.min(chunks, maxBatch);
        this.chunkImages = (maxBatch + chunks - 1) / chunks;
        this.maxChunks = (maxBatch + chunkImages - 1) / chunkImages;
        this.ws = new Workspace(model, maxBatch, samples, true);
        this.partials = ws.allocateFloats(maxChunks * stride);
        long maxWeight = 1;
        for (Parameter q : model.parameters()) maxWeight = Math.max(maxWeight, q.size());
        MemorySegment temps = ws.allocateFloats(maxChunks * maxWeight);
        this.targets = new GradTarget[maxChunks];
        for (int c = 0; c < maxChunks; c++) targets[c] = new GradTarget(partials, c * stride, c * stride + p, temps, c * maxWeight);
        this.klEps = model.estimator() == Estimator.LRT && model.prior() instanceof Prior.ScaleMixture
                ? ws.allocateFloats(samples * p) : null;
        this.nllScratch = new double[maxChunks][Nll.scratchSize(model.numClasses(), samples)];
        this.nllParts = new double[maxChunks];
        this.correctParts = new long[maxChunks][1];
        this.klParts = new double[(int) ((p + PARTITION - 1) / PARTITION) + 1];
        this.inputBuffer = ws.act[0];
        this.labels = new int[maxBatch];
    }

    /** Where the caller writes the batch: (maxBatch, C, H, W) floats from offset 0. */
    public MemorySegment input() {
        return inputBuffer;
    }

    /** Where the caller writes the batch's labels. */
    public int[] labels() {
        return labels;
    }

    /** Images per gradient chunk (fixed per run; see the class doc). */
    public int chunkImages() {
        return chunkImages;
    }

    public int samples() {
        return samples;
    }

    /**
     * Forward, loss, backward and KL for the first {@code batch} images of {@link #input()}:
     * fills the model's gradients and returns the loss terms. Parameters are not changed.
     *
     * @param klScale w_i/N
     */
    public StepResult step(int batch, long seed, long step, double klScale) {
        ws.setPass(Workspace.Mode.SAMPLE, seed, Noise.TRAIN, step, batch, samples, inputBuffer, 0);
        int classes = model.numClasses();
        for (int i = 0; loss == null && i < batch; i++) {
            if (labels[i] < 0 || labels[i] >= classes) throw new IllegalArgumentException("label " + labels[i] + " of batch image " + i + " outside 0.." + (classes - 1));
        }
        if (model.estimator().drawsWeights()) model.forPartitions(par, (q, a, b) -> ws.drawWeights(a, b));
        int chunks = (batch + chunkImages - 1) / chunkImages;
        float scale = 1f / batch;
        par.forBlocks(chunks, 1, (c, unused1, unused2) -> runChunk(c, batch, scale));
        double nll = 0;
        long correct = 0;
        for (int c = 0; c < chunks; c++) {
            nll += nllParts[c];
            correct += correctParts[c][0];
        }
        java.util.Arrays.fill(klParts, 0);
        float kls = (float) klScale;
        model.forPartitions(par, (q, a, b) -> klParts[q] = reduce(a, b, chunks, kls, seed, step));
        double kl = 0;
        for (double v : klParts) kl += v;
        return new StepResult(nll / batch, kl, klScale, (int) correct, batch);
    }

    private void runChunk(int c, int batch, float scale) {
        int i0 = c * chunkImages, i1 = Math.min(batch, i0 + chunkImages), n = i1 - i0;
        for (int t = 0; t < samples; t++) ws.forward(t * batch + i0, n, 0);
        correctParts[c][0] = 0;
        nllParts[c] = loss != null
                ? loss.lossAndGrad(c, samples, batch, i0, i1, ws.logits(), 0, scale, ws.dLogits, 0, correctParts[c])
                : Nll.lossAndGrad(model.numClasses(), samples, batch, i0, i1, labels, ws.logits(), 0, scale,
                        ws.dLogits, 0, nllScratch[c], correctParts[c]);
        GradTarget g = targets[c];
        for (int t = 0; t < samples; t++) {
            g.accumulate = t > 0;
            ws.backward(t * batch + i0, n, g);
        }
    }

    /**
     * Flat parameters [a, b): sums the chunks' partials (in chunk order) into ∂μ and ∂σ, adds
     * the KL's gradient, chains σ to ρ, applies masks; returns this partition's KL.
     */
    private double reduce(int a, int b, int chunks, float klScale, long seed, long step) {
        Kernels k = ws.k;
        MemorySegment m = model.segment();
        int len = b - a;
        long gMu = model.gradMuBase() + a, gRho = model.gradRhoBase() + a;
        MemorySegment.copy(partials, (long) a * Float.BYTES, m, gMu * Float.BYTES, (long) len * Float.BYTES);
        for (int c = 1; c < chunks; c++) k.axpy(len, 1f, partials, c * stride + a, m, gMu);
        MemorySegment mask = model.maskSegment();
        long maskOff = model.maskOffset() + a;
        double kl = 0;
        if (model.bayesian()) {
            MemorySegment.copy(partials, (p + a) * Float.BYTES, m, gRho * Float.BYTES, (long) len * Float.BYTES);
            for (int c = 1; c < chunks; c++) k.axpy(len, 1f, partials, c * stride + p + a, m, gRho);
            long sigma = model.sigmaBase() + a;
            if (model.estimator() == Estimator.LRT) {
                // ∂L/∂σ = ∂L/∂σ² · 2σ
                k.mul(len, m, gRho, m, sigma, m, gRho);
                k.scale(len, 2f, m, gRho);
            }
            switch (model.prior()) {
                case Prior.Gaussian g -> kl = Kl.closedForm(klKind, g, model.priorMeanSegment(), model.priorMeanOffset() + a, len, m, model.muBase() + a, m, sigma, mask, maskOff,
                        klScale, m, gMu, m, gRho);
                case Prior.ScaleMixture mix -> {
                    MemorySegment eps;
                    long epsOff;
                    if (model.estimator().drawsWeights()) {
                        eps = ws.drawEps;
                        epsOff = a;
                    } else {
                        long stream = Noise.stream(Noise.TRAIN, step, 0, Noise.KL_DRAW);
                        for (int t = 0; t < samples; t++) k.fillGaussian(ws.kernelPar, seed, stream, t * p + a, len, klEps, t * p + a);
                        eps = klEps;
                        epsOff = a;
                    }
                    kl = Kl.monteCarlo(mix, len, m, model.muBase() + a, m, sigma, mask, maskOff, eps, epsOff, p, samples,
                            klScale, m, gMu, m, gRho);
                }
            }
            // ∂L/∂ρ = ∂L/∂σ · sigmoid(ρ)
            k.mul(len, m, gRho, m, model.sigmoidBase() + a, m, gRho);
            if (mask != null) k.mul(len, m, gRho, mask, maskOff, m, gRho);
        }
        if (mask != null) k.mul(len, m, gMu, mask, maskOff, m, gMu);
        return kl;
    }

    /** Logits of the last step: row t·batch + i, (classes) floats each; for tests. */
    MemorySegment logits() {
        return ws.logits();
    }

    /** LRT with a scale-mixture prior: the ε of the KL's weight draws (T, P); for tests. */
    MemorySegment klEps() {
        return klEps;
    }

    Workspace workspace() {
        return ws;
    }

    @Override
    public void close() {
        ws.close();
    }
}
