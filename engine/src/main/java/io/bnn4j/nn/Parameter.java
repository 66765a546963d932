package io.bnn4j.nn;

import io.bnn4j.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * One named parameter tensor of a {@link Model} ("conv1.weight", "fc3.bias"): views into the
 * model's single arena. μ always; ρ only for Bayesian estimators (null for NONE); a pruning mask
 * only when one was set (null = dense).
 *
 * <p>Shapes: conv weight (C_out, C_in, k, k), dense weight (out, in) (PyTorch's layout),
 * bias (out).
 */
public final class Parameter {

    private final Model model;
    private final String name;
    private final int[] shape;
    private final long offset;
    private final int size;
    private final boolean bias;
    private final Tensor mu, rho, gradMu, gradRho;
    private Tensor mask;

    Parameter(Model model, String name, int[] shape, long offset, boolean bias) {
        this.model = model;
        this.name = name;
        this.shape = shape.clone();
        this.offset = offset;
        long s = 1;
        for (int d : shape) s *= d;
        this.size = Math.toIntExact(s);
        this.bias = bias;
        MemorySegment seg = model.segment();
        this.mu = Tensor.wrap(seg, model.muBase() + offset, shape);
        this.gradMu = Tensor.wrap(seg, model.gradMuBase() + offset, shape);
        boolean bayes = model.bayesian();
        this.rho = bayes ? Tensor.wrap(seg, model.rhoBase() + offset, shape) : null;
        this.gradRho = bayes ? Tensor.wrap(seg, model.gradRhoBase() + offset, shape) : null;
    }

    public String name() { return name; }

    public int[] shape() { return shape.clone(); }

    /** Elements. */
    public int size() { return size; }

    public boolean isBias() { return bias; }

    /** Index of this tensor's first element in the model's flat parameter order. */
    public long offset() { return offset; }

    /** The posterior means (the weights themselves for NONE). */
    public Tensor mu() { return mu; }

    /** ρ with σ = softplus(ρ); null for a non-Bayesian model. */
    public Tensor rho() { return rho; }

    /** The pruning mask (1 = kept, 0 = removed), or null when dense. */
    public Tensor mask() { return mask; }

    /** ∂loss/∂μ after the last training step. */
    public Tensor gradMu() { return gradMu; }

    /** ∂loss/∂ρ after the last training step; null for a non-Bayesian model. */
    public Tensor gradRho() { return gradRho; }

    /**
     * Sets the pruning mask (each value 0 or 1): removed weights get μ = 0 and σ = 0 in every
     * forward pass, zero gradients, zero optimizer moments, and no KL term.
     */
    public void setMask(float[] values) {
        if (values.length != size) throw new IllegalArgumentException(name + ": mask of " + values.length + " values for " + size + " weights");
        for (float v : values) {
            if (v != 0f && v != 1f) throw new IllegalArgumentException(name + ": mask values must be 0 or 1, got " + v);
        }
        Tensor global = model.ensureMaskRegion();
        mask = Tensor.wrap(global.segment(), global.offset() + offset, shape);
        mask.copyFrom(values);
        model.applyMask(this);
    }

    /** Number of unmasked elements. */
    public int activeCount() {
        if (mask == null) return size;
        int n = 0;
        MemorySegment s = mask.segment();
        for (long i = 0; i < size; i++) if (s.getAtIndex(ValueLayout.JAVA_FLOAT, mask.offset() + i) != 0f) n++;
        return n;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
