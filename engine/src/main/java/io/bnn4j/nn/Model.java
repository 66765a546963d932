package io.bnn4j.nn;

import io.bnn4j.bayes.Prior;
import io.bnn4j.kernel.Kernels;
import io.bnn4j.kernel.UnaryOp;
import io.bnn4j.parallel.Parallel;
import io.bnn4j.random.Philox;
import io.bnn4j.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Bayesian (or, with {@link Estimator#NONE}, ordinary) CNN: its layers and every parameter in
 * ONE shared off-heap arena, sliced per tensor.
 *
 * <h2>Memory layout (floats; P = means, R = P for Bayesian models, else 0)</h2>
 * <pre>
 *   μ (P) | ∂μ (P) | ρ (R) | ∂ρ (R) | σ (R) | sigmoid(ρ) (R) | lrtVar (R) | Adam m (P+R) | Adam v (P+R)
 * </pre>
 * in the flat parameter order of {@link #parameters()} (per layer: weight, then bias). σ,
 * sigmoid(ρ) and lrtVar (σ², plus 1e-16 on biases) are derived from ρ and the masks, cached so
 * that prediction never recomputes them: after writing μ, ρ or masks directly (a model loader),
 * call {@link #parametersChanged()}. The pruning mask region (P, ones) is allocated in the same
 * arena when the first mask is set.
 *
 * <h2>Threads</h2>
 * A model is read-only during inference: any number of {@link InferenceSession}s may use it at
 * once. Training (which writes it) must not overlap with inference.
 */
public final class Model implements AutoCloseable {

    /**
     * Dense layers whose weight mask keeps at most this fraction run their inference products on
     * sparse rows, for batches of at most {@link #SPARSE_MAX_ROWS} rows; denser layers and
     * bigger batches are faster dense (measurements: docs/PRUNING.md §2). Convolutions always
     * run dense.
     */
    public static final double SPARSE_MAX_DENSITY = 0.05;

    /** Rows (images × samples) above which the dense GEMM beats sparse rows at any density measured. */
    public static final int SPARSE_MAX_ROWS = 32;

    /** Variance floor added to the bias variance in a_var (docs/TRAINING.md). */
    public static final float LRT_VAR_FLOOR = 1e-16f;

    private final ModelSpec spec;
    private final ImageShape input;
    private final Estimator estimator;
    private final Activation activation;
    private final Prior prior;
    private final int classes;
    private final Arena arena;
    private final MemorySegment segment;
    private final long means, rhos;
    private final List<Layer> layers;
    private final List<Parameter> parameters;
    private final Map<String, Parameter> byName = new LinkedHashMap<>();
    private final long[] biasRanges;   // pairs (offset, size) of bias tensors, for the variance floor
    private Tensor maskRegion;
    private Tensor priorMeans;   // (P) per-weight prior means (empirical Bayes), or null: the prior's own mean
    private boolean closed;

    // ------------------------------------------------------------------ construction

    /** A model with freshly initialized parameters: μ ~ N(0, 0.1²), ρ ~ N(−5, 0.1²), from {@code seed}. */
    public static Model create(ModelSpec spec, long seed) {
        Model m = allocate(spec);
        m.initialize(seed);
        return m;
    }

    /** A model with μ = ρ = 0, for loaders: fill the tensors, then call {@link #parametersChanged()}. */
    public static Model allocate(ModelSpec spec) {
        return new Model(spec, spec.inputShape(), spec.layers(), spec.estimator(), spec.activation(), spec.prior(), spec.numClasses());
    }

    /** A model of arbitrary layers (tests); {@link #spec()} is then null. */
    static Model ofLayers(ImageShape input, List<LayerDef> defs, Estimator estimator, Activation activation, Prior prior, long seed) {
        Model m = new Model(null, input, defs, estimator, activation, prior, -1);
        m.initialize(seed);
        return m;
    }

    private Model(ModelSpec spec, ImageShape input, List<LayerDef> defs, Estimator estimator, Activation activation,
                  Prior prior, int classes) {
        this.spec = spec;
        this.input = input;
        this.estimator = estimator;
        this.activation = activation;
        this.prior = prior;
        // pass 1: shapes and parameter count
        long count = countMeans(input, defs);
        ImageShape s = input;
        for (LayerDef d : defs) s = outShape(s, d);
        if (classes > 0 && s.size() != classes) throw new IllegalArgumentException("last layer has " + s.size() + " outputs, not " + classes);
        this.classes = s.size();
        this.means = count;
        this.rhos = estimator.bayesian() ? count : 0;
        long floats = 4 * means + 7 * rhos;
        this.arena = Arena.ofShared();
        this.segment = arena.allocate(Math.max(1, floats * Float.BYTES), 64);
        // pass 2: parameters and layers
        List<Layer> ls = new ArrayList<>();
        List<Parameter> ps = new ArrayList<>();
        List<Long> biases = new ArrayList<>();
        long off = 0;
        int ordinal = 0;
        s = input;
        for (int di = 0; di < defs.size(); di++) {
            LayerDef d = defs.get(di);
            ImageShape out = outShape(s, d);
            if (d instanceof LayerDef.Act && activation.nonDecreasing()
                    && di + 1 < defs.size() && defs.get(di + 1) instanceof LayerDef.MaxPool p) {
                // activation then max-pool runs as max-pool then activation: f is non-decreasing, so
                // max(f(x)) = f(max(x)), and f (and f' in the backward) runs on a quarter of the
                // values (2 × 2 pools)
                ImageShape pooled = outShape(s, p);
                ls.add(new MaxPoolLayer(s, pooled, p.kernel(), p.stride()));
                ls.add(new ActivationLayer(pooled, activation));
                s = pooled;
                di++;
                continue;
            }
            switch (d) {
                case LayerDef.Conv c -> {
                    Parameter w = new Parameter(this, c.name() + ".weight", new int[]{c.outChannels(), s.c(), c.kernel(), c.kernel()}, off, false);
                    off += w.size();
                    Parameter b = new Parameter(this, c.name() + ".bias", new int[]{c.outChannels()}, off, true);
                    biases.add(off);
                    biases.add((long) b.size());
                    off += b.size();
                    ps.add(w);
                    ps.add(b);
                    ls.add(new ConvLayer(this, ordinal++, c.name(), s, out, w, b, c.kernel(), c.stride(), c.pad()));
                }
                case LayerDef.Dense dd -> {
                    Parameter w = new Parameter(this, dd.name() + ".weight", new int[]{dd.outFeatures(), s.size()}, off, false);
                    off += w.size();
                    Parameter b = new Parameter(this, dd.name() + ".bias", new int[]{dd.outFeatures()}, off, true);
                    biases.add(off);
                    biases.add((long) b.size());
                    off += b.size();
                    ps.add(w);
                    ps.add(b);
                    ls.add(new DenseLayer(this, ordinal++, dd.name(), s, out, w, b));
                }
                case LayerDef.Act a -> ls.add(new ActivationLayer(s, activation));
                case LayerDef.MaxPool p -> ls.add(new MaxPoolLayer(s, out, p.kernel(), p.stride()));
                case LayerDef.Flatten f -> ls.add(new FlattenLayer(s, out));
            }
            s = out;
        }
        for (int i = 0; i < ls.size(); i++) ls.get(i).index = i;
        this.layers = List.copyOf(ls);
        this.parameters = Collections.unmodifiableList(ps);
        for (Parameter p : ps) {
            if (byName.put(p.name(), p) != null) throw new IllegalArgumentException("duplicate parameter name " + p.name());
        }
        this.biasRanges = biases.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * The shapes of these layers' parameters on this input, by name in flat order ("conv1.weight",
     * "conv1.bias", …), computed without allocating anything (loaders check a file's claim with
     * it first); shapes that overflow are an ArithmeticException.
     */
    static Map<String, int[]> parameterShapes(ImageShape input, List<LayerDef> defs) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        ImageShape s = input;
        for (LayerDef d : defs) {
            ImageShape out = outShape(s, d);
            if (d instanceof LayerDef.Conv c) {
                shapes.put(c.name() + ".weight", new int[]{c.outChannels(), s.c(), c.kernel(), c.kernel()});
                shapes.put(c.name() + ".bias", new int[]{c.outChannels()});
            }
            if (d instanceof LayerDef.Dense dd) {
                shapes.put(dd.name() + ".weight", new int[]{dd.outFeatures(), s.size()});
                shapes.put(dd.name() + ".bias", new int[]{dd.outFeatures()});
            }
            s = out;
        }
        return shapes;
    }

    /** Weights and biases of these layers on this input (the sum of {@link #parameterShapes}' sizes); overflow: ArithmeticException. */
    static long countMeans(ImageShape input, List<LayerDef> defs) {
        long count = 0;
        for (int[] shape : parameterShapes(input, defs).values()) {
            long n = 1;
            for (int d : shape) n = Math.multiplyExact(n, d);
            count = Math.addExact(count, n);
        }
        return count;
    }

    static ImageShape outShape(ImageShape s, LayerDef d) {
        return switch (d) {
            case LayerDef.Conv c -> {
                int oh = (s.h() + 2 * c.pad() - c.kernel()) / c.stride() + 1, ow = (s.w() + 2 * c.pad() - c.kernel()) / c.stride() + 1;
                if (s.h() + 2 * c.pad() < c.kernel() || s.w() + 2 * c.pad() < c.kernel() || c.stride() < 1) {
                    throw new IllegalArgumentException(c.name() + ": kernel " + c.kernel() + " does not fit input " + s);
                }
                yield new ImageShape(c.outChannels(), oh, ow);
            }
            case LayerDef.Dense dd -> new ImageShape(dd.outFeatures(), 1, 1);
            case LayerDef.Act a -> s;
            case LayerDef.MaxPool p -> {
                if (p.kernel() > s.h() || p.kernel() > s.w() || p.stride() < 1) {
                    throw new IllegalArgumentException("max pool " + p.kernel() + "/" + p.stride() + " does not fit input " + s);
                }
                yield new ImageShape(s.c(), (s.h() - p.kernel()) / p.stride() + 1, (s.w() - p.kernel()) / p.stride() + 1);
            }
            case LayerDef.Flatten f -> new ImageShape(s.size(), 1, 1);
        };
    }

    /** μ ~ N(0, 0.1²), ρ ~ N(−5, 0.1²); tensor k uses streams (INIT, k, INIT_MU / INIT_RHO). */
    private void initialize(long seed) {
        float[] buf = new float[4096];
        for (int k = 0; k < parameters.size(); k++) {
            Parameter p = parameters.get(k);
            fillNormal(seed, Noise.stream(Noise.INIT, 0, k, Noise.INIT_MU), muBase() + p.offset(), p.size(), 0f, 0.1f, buf);
            if (bayesian()) fillNormal(seed, Noise.stream(Noise.INIT, 0, k, Noise.INIT_RHO), rhoBase() + p.offset(), p.size(), -5f, 0.1f, buf);
        }
        parametersChanged();
    }

    private void fillNormal(long seed, long stream, long dstOff, int len, float mean, float sd, float[] buf) {
        for (int done = 0; done < len; done += buf.length) {
            int n = Math.min(buf.length, len - done);
            Philox.fillGaussian(seed, stream, done, buf, 0, n);
            for (int i = 0; i < n; i++) buf[i] = mean + sd * buf[i];
            MemorySegment.copy(buf, 0, segment, ValueLayout.JAVA_FLOAT, (dstOff + done) * Float.BYTES, n);
        }
    }

    // ------------------------------------------------------------------ derived values

    /** Recomputes σ, sigmoid(ρ) and lrtVar everywhere, and re-applies the masks to μ. */
    public void parametersChanged() {
        refreshDerived(0, means);
    }

    /**
     * For flat parameter indices [from, to): μ ⊙= mask, σ = softplus(ρ)·mask, sigmoid(ρ), and
     * lrtVar = σ² (+ 1e-16 on biases). Disjoint ranges may run in parallel.
     */
    public void refreshDerived(long from, long to) {
        if (from < 0 || to > means || from > to) throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") of " + means);
        dropSparseInference();
        Kernels k = Kernels.instance();
        int len = Math.toIntExact(to - from);
        if (len == 0) return;
        MemorySegment mask = maskSegment();
        if (mask != null) k.mul(len, segment, muBase() + from, mask, maskOffset() + from, segment, muBase() + from);
        if (!bayesian()) return;
        k.unary(UnaryOp.SOFTPLUS, len, segment, rhoBase() + from, segment, sigmaBase() + from);
        k.unary(UnaryOp.SIGMOID, len, segment, rhoBase() + from, segment, sigmoidBase() + from);
        if (mask != null) k.mul(len, segment, sigmaBase() + from, mask, maskOffset() + from, segment, sigmaBase() + from);
        k.mul(len, segment, sigmaBase() + from, segment, sigmaBase() + from, segment, lrtVarBase() + from);
        for (int i = 0; i < biasRanges.length; i += 2) {
            long a = Math.max(from, biasRanges[i]), b = Math.min(to, biasRanges[i] + biasRanges[i + 1]);
            for (long j = a; j < b; j++) {
                long o = lrtVarBase() + j;
                segment.setAtIndex(ValueLayout.JAVA_FLOAT, o, segment.getAtIndex(ValueLayout.JAVA_FLOAT, o) + LRT_VAR_FLOOR);
            }
        }
    }

    /**
     * Builds the sparse rows of every dense layer whose weight mask keeps at most
     * {@link #SPARSE_MAX_DENSITY} of it (once; again after the parameters change). Called by each
     * {@link InferenceSession}; training never uses them.
     */
    synchronized void prepareSparseInference() {
        MemorySegment mask = maskSegment();
        if (mask == null) return;
        for (Layer l : layers) {
            if (!(l instanceof DenseLayer d) || d.sparseMu != null || d.weight.mask() == null) continue;
            if (d.weight.activeCount() > SPARSE_MAX_DENSITY * d.weight.size()) continue;
            int out = d.outSize, in = d.inSize;
            io.bnn4j.kernel.SparseRows mu = io.bnn4j.kernel.SparseRows.of(out, in, segment, muBase() + d.weight.offset(), mask,
                    maskOffset() + d.weight.offset());
            d.sparseVar = bayesian() ? mu.withValues(segment, lrtVarBase() + d.weight.offset()) : null;
            d.sparseMu = mu;
        }
    }

    /** Forgets the sparse rows (their values are stale once μ, ρ or masks change). */
    private void dropSparseInference() {
        if (layers == null) return;   // during construction
        for (Layer l : layers) {
            if (l instanceof DenseLayer d) {
                d.sparseMu = null;
                d.sparseVar = null;
            }
        }
    }

    /** Whether any dense layer currently runs sparse in inference (tests, reports). */
    public boolean usesSparseInference() {
        for (Layer l : layers) if (l instanceof DenseLayer d && d.sparseMu != null) return true;
        return false;
    }

    Tensor ensureMaskRegion() {
        if (maskRegion == null) {
            maskRegion = Tensor.allocate(arena, Math.toIntExact(Math.max(1, means)));
            maskRegion.fill(1f);
        }
        return maskRegion;
    }

    /**
     * Centres the Gaussian prior of every weight and bias on its own mean (empirical Bayes, as
     * MOPED's prior): KL(q‖N(m_i, σ_p²)) with m the given P values; null restores the prior's
     * single mean. The values are copied.
     */
    public void setPriorMeans(float[] means) {
        if (means == null) {
            priorMeans = null;
            return;
        }
        if (!(prior instanceof Prior.Gaussian)) throw new IllegalArgumentException("per-weight prior means need a Gaussian prior, not " + prior);
        if (means.length != this.means) throw new IllegalArgumentException("expected " + this.means + " prior means, got " + means.length);
        for (float v : means) if (!Float.isFinite(v)) throw new IllegalArgumentException("prior means must be finite");
        if (priorMeans == null) priorMeans = Tensor.allocate(arena, Math.toIntExact(Math.max(1, this.means)));
        priorMeans.copyFrom(means);
    }

    /** The per-weight prior means (P), or null when every weight's prior has the prior's own mean. */
    public Tensor priorMeans() { return priorMeans; }

    MemorySegment priorMeanSegment() { return priorMeans == null ? null : priorMeans.segment(); }

    long priorMeanOffset() { return priorMeans == null ? 0 : priorMeans.offset(); }

    /** After a parameter's mask changed: μ = 0 and optimizer moments = 0 where removed; derived values. */
    void applyMask(Parameter p) {
        Kernels k = Kernels.instance();
        MemorySegment mask = maskSegment();
        long o = p.offset();
        int n = p.size();
        k.mul(n, segment, adamMBase() + o, mask, maskOffset() + o, segment, adamMBase() + o);
        k.mul(n, segment, adamVBase() + o, mask, maskOffset() + o, segment, adamVBase() + o);
        if (bayesian()) {
            k.mul(n, segment, adamMBase() + means + o, mask, maskOffset() + o, segment, adamMBase() + means + o);
            k.mul(n, segment, adamVBase() + means + o, mask, maskOffset() + o, segment, adamVBase() + means + o);
        }
        refreshDerived(o, o + n);
    }

    // ------------------------------------------------------------------ public description

    /** The spec this model was built from (null only for test models built from raw layers). */
    public ModelSpec spec() { return spec; }

    public Estimator estimator() { return estimator; }

    public Activation activation() { return activation; }

    public Prior prior() { return prior; }

    public boolean bayesian() { return estimator.bayesian(); }

    public ImageShape inputShape() { return input; }

    public int numClasses() { return classes; }

    /** Named parameters in flat order: per conv/dense layer, "name.weight" then "name.bias". */
    public List<Parameter> parameters() { return parameters; }

    /** The parameter called {@code name}; IllegalArgumentException when there is none. */
    public Parameter parameter(String name) {
        Parameter p = byName.get(name);
        if (p == null) throw new IllegalArgumentException("no parameter '" + name + "' (have " + byName.keySet() + ")");
        return p;
    }

    /** Number of means (weights and biases): 61,706 for lenet5 with 1 channel and 10 classes. */
    public long meanCount() { return means; }

    /** Number of ρ values (= meanCount for Bayesian models, 0 for NONE). */
    public long rhoCount() { return rhos; }

    /** Means not removed by a mask. */
    public long activeMeanCount() {
        long n = 0;
        for (Parameter p : parameters) n += p.activeCount();
        return n;
    }

    // ------------------------------------------------------------------ flat regions (optimizer, checkpoints)

    /** Every μ, flat (P). */
    public Tensor allMu() { return region(muBase(), means); }

    /** Every ρ, flat (R); null for NONE. */
    public Tensor allRho() { return bayesian() ? region(rhoBase(), rhos) : null; }

    public Tensor allGradMu() { return region(gradMuBase(), means); }

    public Tensor allGradRho() { return bayesian() ? region(gradRhoBase(), rhos) : null; }

    /** σ = softplus(ρ)·mask (derived, read-only for callers); null for NONE. */
    public Tensor allSigma() { return bayesian() ? region(sigmaBase(), rhos) : null; }

    /** Optimizer first moment (Adam m, SGD velocity): μ part (P) then ρ part (R). */
    public Tensor optimizerFirstMoment() { return region(adamMBase(), means + rhos); }

    /** Optimizer second moment (Adam v): μ part (P) then ρ part (R). */
    public Tensor optimizerSecondMoment() { return region(adamVBase(), means + rhos); }

    /** The flat mask (P), or null when no parameter has a mask. */
    public Tensor maskRegion() { return maskRegion; }

    private Tensor region(long base, long len) {
        return Tensor.wrap(segment, base, Math.toIntExact(Math.max(len, 0)));
    }

    // ------------------------------------------------------------------ package internals

    List<Layer> layers() { return layers; }

    MemorySegment segment() { return segment; }

    long muBase() { return 0; }

    long gradMuBase() { return means; }

    long rhoBase() { return 2 * means; }

    long gradRhoBase() { return 2 * means + rhos; }

    long sigmaBase() { return 2 * means + 2 * rhos; }

    long sigmoidBase() { return 2 * means + 3 * rhos; }

    long lrtVarBase() { return 2 * means + 4 * rhos; }

    long adamMBase() { return 2 * means + 5 * rhos; }

    long adamVBase() { return 3 * means + 6 * rhos; }

    MemorySegment maskSegment() { return maskRegion == null ? null : maskRegion.segment(); }

    long maskOffset() { return maskRegion == null ? 0 : maskRegion.offset(); }

    /** Frees every parameter; the model and its tensors are unusable afterwards. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        arena.close();
    }

    @Override
    public String toString() {
        return "Model[" + (spec != null ? spec.arch() : "custom") + ", " + means + " means, " + estimator + "]";
    }

    /** Runs {@code body} (block, from, to) on fixed partitions of the flat parameter indices ({@link Backprop#PARTITION} each). */
    public void forPartitions(Parallel par, Parallel.RangeBody body) {
        par.forBlocks(Math.toIntExact(means), Backprop.PARTITION, body);
    }
}
