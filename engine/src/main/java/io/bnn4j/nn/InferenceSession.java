package io.bnn4j.nn;

import io.bnn4j.parallel.Parallel;

import java.lang.foreign.MemorySegment;

/**
 * Prediction with a model, for one thread at a time: owns all its scratch (allocated once for
 * {@code maxBatch} images × {@code maxSamples} samples), so steady-state calls allocate nothing
 * on the Java heap. Many sessions may share one model (which they only read).
 *
 * <ul>
 *   <li>{@link #predictMean}: one deterministic pass with the posterior means.</li>
 *   <li>{@link #predictSamples}: T posterior samples of every image. LRT: independent noise per
 *       example, sample and output; BBB: sample t uses its own weight draw W_t (shared by the
 *       images of the call, never by two samples of one image); NONE: T identical passes.
 *       With LRT and T > 1, the first layer's a_μ and a_var are computed once per image and
 *       sampled T times.</li>
 * </ul>
 * Images are (n, C, H, W) floats at (segment, offset in floats); logits go to (segment, offset):
 * (n, classes) for the mean, (T, n, classes) sample-major for samples.
 *
 * <p>Pruned dense layers (mask density ≤ {@link Model#SPARSE_MAX_DENSITY}) run their products on
 * sparse rows, prepared when the session is made ({@link Model#prepareSparseInference()}).
 *
 * <p>Noise: the numbers of a call are a pure function of (seed, stream, n, T): the same call
 * gives the same logits. Use a new stream (e.g. a request counter) for fresh samples.
 */
public final class InferenceSession implements AutoCloseable {

    /** Images per parallel block (fixed, so results do not depend on the thread count). */
    static final int BLOCK_IMAGES = 16;

    private final Model model;
    private final Workspace ws;
    private final Parallel par;
    private final int inSize, classes;
    // the call in flight, read by the loop bodies below (made once: no allocation per call)
    private MemorySegment x;
    private long xOff;
    private int n, samples;
    private boolean shared;
    /** Whether LRT with T > 1 computes the first layer's moments once (off only to test that it changes nothing). */
    boolean shareFirstLayer = true;
    /** Tests switch this off to compare with the per-sample loop. */
    boolean batchWholeBlockSamples = true;
    private final Parallel.RangeBody meanBody = this::meanBlock;
    private final Parallel.RangeBody sampleBody = this::sampleBlock;
    private final Parallel.RangeBody drawBody;

    public InferenceSession(Model model, int maxBatch, int maxSamples) {
        this(model, maxBatch, maxSamples, Parallel.serial());
    }

    /** A session whose batches are split over {@code par}'s threads in fixed blocks of images. */
    public InferenceSession(Model model, int maxBatch, int maxSamples, Parallel par) {
        this.model = model;
        model.prepareSparseInference();
        this.ws = new Workspace(model, maxBatch, maxSamples, false);
        this.par = par;
        this.inSize = model.inputShape().size();
        this.classes = model.numClasses();
        this.drawBody = (q, a, b) -> ws.drawWeights(a, b);
    }

    public Model model() {
        return model;
    }

    public int maxBatch() {
        return ws.maxBatch;
    }

    public int maxSamples() {
        return ws.maxSamples;
    }

    /** logits (n, classes) from the means. x: (n, C, H, W). */
    public void predictMean(MemorySegment x, long xOff, int n, MemorySegment logits, long logitsOff) {
        check(x, xOff, n, 1, logits, logitsOff);
        ws.setPass(Workspace.Mode.MEAN, 0, Noise.PREDICT, 0, n, 1, x, xOff);
        par.forBlocks(n, BLOCK_IMAGES, meanBody);
        copyLogits(n, logits, logitsOff);
    }

    /**
     * logits (samples, n, classes), sample-major, from {@code samples} posterior samples.
     *
     * @param seed   the generator's key
     * @param stream which draw (e.g. a request counter), 0 .. 2^44 − 1
     */
    public void predictSamples(MemorySegment x, long xOff, int n, int samples, long seed, long stream,
                               MemorySegment logits, long logitsOff) {
        check(x, xOff, n, samples, logits, logitsOff);
        ws.setPass(Workspace.Mode.SAMPLE, seed, Noise.PREDICT, stream, n, samples, x, xOff);
        if (model.estimator().drawsWeights()) model.forPartitions(par, drawBody);
        this.x = x;
        this.xOff = xOff;
        this.n = n;
        this.samples = samples;
        this.shared = shareFirstLayer && model.estimator() == Estimator.LRT && samples > 1 && model.layers().getFirst() instanceof ParamLayer;
        par.forBlocks(n, BLOCK_IMAGES, sampleBody);
        this.x = null;
        copyLogits(n * samples, logits, logitsOff);
    }

    private void meanBlock(int block, int from, int to) {
        ws.forward(from, to - from, 0);
    }

    private void sampleBlock(int block, int from, int to) {
        int count = to - from;
        if (shared) {
            ParamLayer first = (ParamLayer) model.layers().getFirst();
            first.forwardShared(ws, ws.buffers[0], x, xOff + (long) from * inSize, ws.act[1], from, count, samples);
            if (batchWholeBlockSamples && from == 0 && count == n) {
                // The block is the whole batch: rows t·n + i (t < T, i < n) are 0 .. T·n − 1, one
                // contiguous batch for the layers above, one kernel call per layer instead of T (one
                // image × 10 samples: 10 rows). LRT noise is indexed by row, so the numbers are the
                // loop's up to the rounding of the GEMM path, which the kernels choose by row count;
                // both depend on (n, T) only, never on the thread count.
                ws.forward(0, n * samples, 1);
            } else {
                for (int t = 0; t < samples; t++) ws.forward(t * n + from, count, 1);
            }
        } else {
            for (int t = 0; t < samples; t++) ws.forward(t * n + from, count, 0);
        }
    }

    private void check(MemorySegment x, long xOff, int n, int samples, MemorySegment logits, long logitsOff) {
        if (n < 1 || n > ws.maxBatch) throw new IllegalArgumentException("batch of " + n + " images; this session takes 1.." + ws.maxBatch);
        if (samples < 1 || samples > ws.maxSamples) throw new IllegalArgumentException(samples + " samples; this session takes 1.." + ws.maxSamples);
        if (xOff < 0 || (xOff + (long) n * inSize) * Float.BYTES > x.byteSize()) throw new IndexOutOfBoundsException("input too small for " + n + " images");
        if (logitsOff < 0 || (logitsOff + (long) n * samples * classes) * Float.BYTES > logits.byteSize()) {
            throw new IndexOutOfBoundsException("logits buffer too small for " + n + " x " + samples + " x " + classes);
        }
    }

    private void copyLogits(int rows, MemorySegment dst, long dstOff) {
        MemorySegment.copy(ws.logits(), 0, dst, dstOff * Float.BYTES, (long) rows * classes * Float.BYTES);
    }

    /** The session's buffers; for tests. */
    Workspace workspace() {
        return ws;
    }

    @Override
    public void close() {
        ws.close();
    }
}
