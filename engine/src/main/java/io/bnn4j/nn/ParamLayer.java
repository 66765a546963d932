package io.bnn4j.nn;

import java.lang.foreign.MemorySegment;

/**
 * A layer with weights and a bias (conv or dense) under one of the three estimators. The
 * estimator logic lives here once; subclasses supply the linear map "lin" (convolution or
 * matrix product, no bias) and its two adjoints.
 *
 * <pre>
 * NONE / mean weights:  y = lin(x, μ_W) + μ_b
 * BBB (sample t):       y = lin(x, W_t) + b_t,  W_t = μ + σ ⊙ ε_t (drawn once per pass by the workspace)
 * LRT:                  a_μ = lin(x, μ_W) + μ_b;  a_var = lin(x², σ_W²) + σ_b² + 1e-16;  y = a_μ + sqrt(a_var) ⊙ ε
 * Flipout (sample t):   z = lin(x ⊙ s_in, ΔW_t) + Δb_t,  y = lin(x, μ_W) + μ_b + s_out ⊙ z,  ΔW_t = σ ⊙ ε_t
 * </pre>
 * Backward, with dy = ∂L/∂y (docs/TRAINING.md):
 * <pre>
 * NONE:  dμ_W = linᵀ_W(x, dy), dμ_b = Σ dy, dx = linᵀ_x(dy, μ_W)
 * BBB:   dW = linᵀ_W(x, dy), db = Σ dy → dμ += dW, dσ += dW ⊙ ε_t;  dx = linᵀ_x(dy, W_t)
 * LRT:   da_var = dy ⊙ ε / (2 sqrt(a_var));  dμ_W = linᵀ_W(x, dy), dμ_b = Σ dy,
 *        dσ²_W = linᵀ_W(x², da_var), dσ²_b = Σ da_var,  dx = linᵀ_x(dy, μ_W) + 2x ⊙ linᵀ_x(da_var, σ²_W)
 * Flipout: dz = dy ⊙ s_out;  dμ_W = linᵀ_W(x, dy), dμ_b = Σ dy;  dΔW = linᵀ_W(x ⊙ s_in, dz), dΔb = Σ dz
 *        → dσ += dΔ ⊙ ε_t;  dx = linᵀ_x(dy, μ_W) + s_in ⊙ linᵀ_x(dz, ΔW_t)
 * </pre>
 */
abstract class ParamLayer extends Layer {

    final Model model;
    final int ordinal;
    final String name;
    final Parameter weight, bias;
    final int channels, spatial;     // output channels and output positions per channel

    ParamLayer(Model model, int ordinal, String name, ImageShape in, ImageShape out, Parameter weight, Parameter bias) {
        super(in, out);
        this.model = model;
        this.ordinal = ordinal;
        this.name = name;
        this.weight = weight;
        this.bias = bias;
        this.channels = out.c();
        this.spatial = out.h() * out.w();
    }

    /** y = lin(x, w), no bias. x: (count, in), w: weight shape, y: (count, out). */
    abstract void lin(Workspace ws, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment y, long yOff, int count);

    /** dx = linᵀ_x(dy, w), overwriting dx. */
    abstract void linBackwardData(Workspace ws, MemorySegment dy, long dyOff, MemorySegment w, long wOff,
                                  MemorySegment dx, long dxOff, int count);

    /** dw (+)= linᵀ_W(x, dy) summed over the run; {@code temp} may be used when accumulating. */
    abstract void linBackwardWeights(Workspace ws, MemorySegment x, long xOff, MemorySegment dy, long dyOff,
                                     MemorySegment dw, long dwOff, int count, boolean accumulate, MemorySegment temp, long tempOff);

    /** LRT intermediates, indexed by expanded example: x² (·, in), a_var, ε, ∂L/∂a_var (·, out). */
    static final class LrtBuffers {
        MemorySegment xsq, avar, eps, dvar, amu;
    }

    /** Flipout intermediates, indexed by expanded example: signs s_in and x ⊙ s_in (·, in); s_out and z, then dz (·, out). */
    static final class FlipBuffers {
        MemorySegment signIn, xs, signOut, z;
    }

    /** MC-dropout intermediates, indexed by expanded example: the scaled keep mask and the dropped input (·, in). */
    static final class DropBuffers {
        MemorySegment mask, xd;
    }

    /** Whether this layer drops its input: MC dropout, every layer but the first (the pixels stay whole). */
    boolean drops() {
        return model.estimator() == Estimator.DROPOUT && ordinal > 0;
    }

    @Override
    Object buffers(Workspace ws) {
        if (drops()) {
            DropBuffers d = new DropBuffers();
            d.mask = ws.allocateFloats((long) ws.maxImages * inSize);
            d.xd = ws.allocateFloats((long) ws.maxImages * inSize);
            return d;
        }
        if (model.estimator() == Estimator.FLIPOUT) {
            FlipBuffers f = new FlipBuffers();
            f.signIn = ws.allocateFloats((long) ws.maxImages * inSize);
            f.xs = ws.allocateFloats((long) ws.maxImages * inSize);
            f.signOut = ws.allocateFloats((long) ws.maxImages * outSize);
            f.z = ws.allocateFloats((long) ws.maxImages * outSize);
            return f;
        }
        if (model.estimator() != Estimator.LRT) return null;
        LrtBuffers b = new LrtBuffers();
        b.xsq = ws.allocateFloats((long) ws.maxImages * inSize);
        b.avar = ws.allocateFloats((long) ws.maxImages * outSize);
        b.eps = ws.allocateFloats((long) ws.maxImages * outSize);
        if (ws.training) b.dvar = ws.allocateFloats((long) ws.maxImages * outSize);
        if (ordinal == 0 && !ws.training && ws.maxSamples > 1) b.amu = ws.allocateFloats((long) ws.maxBatch * outSize);
        return b;
    }

    long noiseStream(Workspace ws) {
        return Noise.stream(ws.kind, ws.step, ordinal, Noise.LRT_OUTPUT);
    }

    private void addBias(Workspace ws, MemorySegment y, long yOff, MemorySegment b, long bOff, int count) {
        ws.k.addChannelBias(count, channels, spatial, y, yOff, b, bOff);
    }

    // x: (N, C_in, H, W) → y: (N, C_out, outH, outW)
    @Override
    void forward(Workspace ws, Object buffers, MemorySegment x, long xOff, MemorySegment y, long yOff, int first, int count) {
        MemorySegment p = model.segment();
        Estimator e = model.estimator();
        if (!e.bayesian() || ws.mode == Workspace.Mode.MEAN) {
            if (ws.mode == Workspace.Mode.SAMPLE && drops()) {
                // MC dropout: the layer reads x ⊙ m
                DropBuffers d = (DropBuffers) buffers;
                long row = (long) first * inSize;
                dropMask(ws, d.mask, row, count * inSize);
                ws.k.mul(count * inSize, x, xOff, d.mask, row, d.xd, row);
                x = d.xd;
                xOff = row;
            }
            lin(ws, x, xOff, p, model.muBase() + weight.offset(), y, yOff, count);
            addBias(ws, y, yOff, p, model.muBase() + bias.offset(), count);
        } else if (e == Estimator.BBB) {
            long draw = ws.drawOffset(first);
            lin(ws, x, xOff, ws.drawW, draw + weight.offset(), y, yOff, count);
            addBias(ws, y, yOff, ws.drawW, draw + bias.offset(), count);
        } else if (e == Estimator.FLIPOUT) {
            FlipBuffers f = (FlipBuffers) buffers;
            long draw = ws.drawOffset(first);
            long rowIn = (long) first * inSize, rowOut = (long) first * outSize;
            int lenIn = count * inSize, lenOut = count * outSize;
            lin(ws, x, xOff, p, model.muBase() + weight.offset(), y, yOff, count);
            addBias(ws, y, yOff, p, model.muBase() + bias.offset(), count);
            ws.k.fillRademacher(ws.kernelPar, ws.seed, Noise.stream(ws.kind, ws.step, ordinal, Noise.FLIP_IN), rowIn, lenIn, f.signIn, rowIn);
            ws.k.fillRademacher(ws.kernelPar, ws.seed, Noise.stream(ws.kind, ws.step, ordinal, Noise.FLIP_OUT), rowOut, lenOut, f.signOut, rowOut);
            ws.k.mul(lenIn, x, xOff, f.signIn, rowIn, f.xs, rowIn);
            lin(ws, f.xs, rowIn, ws.drawW, draw + weight.offset(), f.z, rowOut, count);
            addBias(ws, f.z, rowOut, ws.drawW, draw + bias.offset(), count);
            ws.k.mul(lenOut, f.z, rowOut, f.signOut, rowOut, f.z, rowOut);
            ws.k.axpy(lenOut, 1f, f.z, rowOut, y, yOff);
        } else {
            LrtBuffers b = (LrtBuffers) buffers;
            long row = (long) first * outSize;
            products(ws, b, x, xOff, y, yOff, b.avar, row, first, count);
            ws.k.fillGaussian(ws.kernelPar, ws.seed, noiseStream(ws), row, count * outSize, b.eps, row);
            // one pass: the two biases (a_var keeps its bias for the backward) and the sample
            ws.k.lrtSampleBias(count, channels, spatial, y, yOff, b.avar, row, p, model.muBase() + bias.offset(),
                    p, model.lrtVarBase() + bias.offset(), b.eps, row, y, yOff);
        }
    }

    /** lin(x, μ_W) into (amu, amuOff) and lin(x², σ²_W) into (avar, avarOff), no biases. */
    private void products(Workspace ws, LrtBuffers b, MemorySegment x, long xOff, MemorySegment amu, long amuOff,
                          MemorySegment avar, long avarOff, int first, int count) {
        MemorySegment p = model.segment();
        lin(ws, x, xOff, p, model.muBase() + weight.offset(), amu, amuOff, count);
        long sq = (long) first * inSize;
        ws.k.mul(count * inSize, x, xOff, x, xOff, b.xsq, sq);
        lin(ws, b.xsq, sq, p, model.lrtVarBase() + weight.offset(), avar, avarOff, count);
    }

    /** a_μ = lin(x, μ_W) + μ_b into (amu, amuOff); a_var = lin(x², σ²_W) + σ²_b + 1e-16 into (avar, avarOff). */
    void moments(Workspace ws, LrtBuffers b, MemorySegment x, long xOff, MemorySegment amu, long amuOff,
                 MemorySegment avar, long avarOff, int first, int count) {
        MemorySegment p = model.segment();
        products(ws, b, x, xOff, amu, amuOff, avar, avarOff, first, count);
        addBias(ws, amu, amuOff, p, model.muBase() + bias.offset(), count);
        addBias(ws, avar, avarOff, p, model.lrtVarBase() + bias.offset(), count);
    }

    /**
     * Inference with T samples of the same images, first layer only: a_μ and a_var of images
     * [i0, i0 + count) are computed once ({@link #moments}), then each sample t draws its own ε.
     */
    void forwardShared(Workspace ws, Object buffers, MemorySegment x, long xOff, MemorySegment y, int i0, int count, int samples) {
        LrtBuffers b = (LrtBuffers) buffers;
        long row0 = (long) i0 * outSize;
        moments(ws, b, x, xOff, b.amu, row0, b.avar, row0, i0, count);
        int len = count * outSize;
        for (int t = 0; t < samples; t++) {
            long row = ((long) t * ws.batch + i0) * outSize;
            ws.k.fillGaussian(ws.kernelPar, ws.seed, noiseStream(ws), row, len, b.eps, row);
            ws.k.lrtSample(len, b.amu, row0, b.avar, row0, b.eps, row, y, row);
        }
    }

    @Override
    void backward(Workspace ws, Object buffers, MemorySegment x, long xOff, MemorySegment y, long yOff,
                  MemorySegment dy, long dyOff, MemorySegment dx, long dxOff, int first, int count, GradTarget g) {
        MemorySegment p = model.segment();
        long wA = g.aBase + weight.offset(), bA = g.aBase + bias.offset();
        switch (model.estimator()) {
            case NONE, DROPOUT -> {
                // MC dropout: the layer saw x ⊙ m (m the scaled keep mask), so dμ_W = linᵀ_W(x ⊙ m, dy), dx = m ⊙ linᵀ_x(dy, μ_W)
                DropBuffers d = drops() ? (DropBuffers) buffers : null;
                long row = (long) first * inSize;
                linBackwardWeights(ws, d == null ? x : d.xd, d == null ? xOff : row, dy, dyOff, g.partial, wA, count, g.accumulate,
                        g.temp, g.tempOff);
                biasGrad(ws, dy, dyOff, g.partial, bA, count, g.accumulate, g.temp, g.tempOff);
                if (dx != null) {
                    linBackwardData(ws, dy, dyOff, p, model.muBase() + weight.offset(), dx, dxOff, count);
                    if (d != null) ws.k.mul(count * inSize, dx, dxOff, d.mask, row, dx, dxOff);
                }
            }
            case BBB -> {
                long draw = ws.drawOffset(first);
                long wS = g.sBase + weight.offset(), bS = g.sBase + bias.offset();
                // dW_t into temp, then dμ += dW_t and dσ += dW_t ⊙ ε_t (bias likewise)
                linBackwardWeights(ws, x, xOff, dy, dyOff, g.temp, g.tempOff, count, false, null, 0);
                spreadDraw(ws, g, weight.size(), wA, wS, draw + weight.offset());
                ws.k.channelBiasGrad(count, channels, spatial, dy, dyOff, g.temp, g.tempOff);
                spreadDraw(ws, g, bias.size(), bA, bS, draw + bias.offset());
                if (dx != null) linBackwardData(ws, dy, dyOff, ws.drawW, draw + weight.offset(), dx, dxOff, count);
            }
            case FLIPOUT -> flipoutBackward(ws, (FlipBuffers) buffers, x, xOff, dy, dyOff, dx, dxOff, first, count, g);
            case LRT -> {
                LrtBuffers b = (LrtBuffers) buffers;
                long row = (long) first * outSize, sq = (long) first * inSize;
                int len = count * outSize;
                long wS = g.sBase + weight.offset(), bS = g.sBase + bias.offset();
                // da_var = dy ⊙ ε / (2 sqrt(a_var))
                ws.k.lrtBackward(len, dy, dyOff, b.avar, row, b.eps, row, b.dvar, row);
                linBackwardWeights(ws, x, xOff, dy, dyOff, g.partial, wA, count, g.accumulate, g.temp, g.tempOff);
                biasGrad(ws, dy, dyOff, g.partial, bA, count, g.accumulate, g.temp, g.tempOff);
                linBackwardWeights(ws, b.xsq, sq, b.dvar, row, g.partial, wS, count, g.accumulate, g.temp, g.tempOff);
                biasGrad(ws, b.dvar, row, g.partial, bS, count, g.accumulate, g.temp, g.tempOff);
                if (dx != null) {
                    // dx = linᵀ(dy, μ_W) + 2x ⊙ linᵀ(da_var, σ²_W); x² is no longer needed: reuse it as scratch
                    linBackwardData(ws, dy, dyOff, p, model.muBase() + weight.offset(), dx, dxOff, count);
                    linBackwardData(ws, b.dvar, row, p, model.lrtVarBase() + weight.offset(), b.xsq, sq, count);
                    ws.k.mul(count * inSize, b.xsq, sq, x, xOff, b.xsq, sq);
                    ws.k.axpy(count * inSize, 2f, b.xsq, sq, dx, dxOff);
                }
            }
        }
    }

    private void flipoutBackward(Workspace ws, FlipBuffers f, MemorySegment x, long xOff, MemorySegment dy, long dyOff,
                                 MemorySegment dx, long dxOff, int first, int count, GradTarget g) {
        MemorySegment p = model.segment();
        long draw = ws.drawOffset(first);
        long rowIn = (long) first * inSize, rowOut = (long) first * outSize;
        long wA = g.aBase + weight.offset(), bA = g.aBase + bias.offset();
        long wS = g.sBase + weight.offset(), bS = g.sBase + bias.offset();
        linBackwardWeights(ws, x, xOff, dy, dyOff, g.partial, wA, count, g.accumulate, g.temp, g.tempOff);
        biasGrad(ws, dy, dyOff, g.partial, bA, count, g.accumulate, g.temp, g.tempOff);
        // dz = dy ⊙ s_out (z is no longer needed); dΔ into temp, then part S (+)= dΔ ⊙ ε_t
        ws.k.mul(count * outSize, dy, dyOff, f.signOut, rowOut, f.z, rowOut);
        linBackwardWeights(ws, f.xs, rowIn, f.z, rowOut, g.temp, g.tempOff, count, false, null, 0);
        spreadNoise(ws, g, weight.size(), wS, draw + weight.offset());
        ws.k.channelBiasGrad(count, channels, spatial, f.z, rowOut, g.temp, g.tempOff);
        spreadNoise(ws, g, bias.size(), bS, draw + bias.offset());
        if (dx != null) {
            // dx = linᵀ(dy, μ_W) + s_in ⊙ linᵀ(dz, ΔW); x ⊙ s_in is no longer needed: reuse it as scratch
            linBackwardData(ws, dy, dyOff, p, model.muBase() + weight.offset(), dx, dxOff, count);
            linBackwardData(ws, f.z, rowOut, ws.drawW, draw + weight.offset(), f.xs, rowIn, count);
            ws.k.mul(count * inSize, f.xs, rowIn, f.signIn, rowIn, f.xs, rowIn);
            ws.k.axpy(count * inSize, 1f, f.xs, rowIn, dx, dxOff);
        }
    }

    /**
     * The keep mask of MC dropout for rows [row, row + len) of this pass: 1/(1 − rate) where a
     * standard normal draw (stream (kind, step, layer, DROPOUT_MASK), counter = element) is at
     * least Φ⁻¹(rate), else 0: each input element is kept with probability 1 − rate.
     */
    private void dropMask(Workspace ws, MemorySegment mask, long row, int len) {
        double rate = model.spec() == null ? ModelSpec.DEFAULT_DROPOUT : model.spec().dropout();
        float threshold = (float) Normals.quantile(rate), keep = (float) (1 / (1 - rate));
        ws.k.fillGaussian(ws.kernelPar, ws.seed, Noise.stream(ws.kind, ws.step, ordinal, Noise.DROPOUT_MASK), row, len, mask, row);
        for (long i = row, end = row + len; i < end; i++) {
            mask.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i,
                    mask.getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i) >= threshold ? keep : 0f);
        }
    }

    /** part S (+)= temp ⊙ ε_t. temp holds dΔ of this run. */
    private void spreadNoise(Workspace ws, GradTarget g, int n, long sOff, long drawOff) {
        if (g.accumulate) {
            ws.k.mul(n, g.temp, g.tempOff, ws.drawEps, drawOff, g.temp, g.tempOff);
            ws.k.axpy(n, 1f, g.temp, g.tempOff, g.partial, sOff);
        } else {
            ws.k.mul(n, g.temp, g.tempOff, ws.drawEps, drawOff, g.partial, sOff);
        }
    }

    /** part A += temp; part S (+)= temp ⊙ ε_t. temp holds dW of this run. */
    private void spreadDraw(Workspace ws, GradTarget g, int n, long aOff, long sOff, long drawOff) {
        if (g.accumulate) {
            ws.k.axpy(n, 1f, g.temp, g.tempOff, g.partial, aOff);
            ws.k.mul(n, g.temp, g.tempOff, ws.drawEps, drawOff, g.temp, g.tempOff);
            ws.k.axpy(n, 1f, g.temp, g.tempOff, g.partial, sOff);
        } else {
            MemorySegment.copy(g.temp, g.tempOff * Float.BYTES, g.partial, aOff * Float.BYTES, (long) n * Float.BYTES);
            ws.k.mul(n, g.temp, g.tempOff, ws.drawEps, drawOff, g.partial, sOff);
        }
    }

    /** db (+)= Σ_{n, positions} dy. */
    void biasGrad(Workspace ws, MemorySegment dy, long dyOff, MemorySegment db, long dbOff, int count,
                  boolean accumulate, MemorySegment temp, long tempOff) {
        if (!accumulate) {
            ws.k.channelBiasGrad(count, channels, spatial, dy, dyOff, db, dbOff);
        } else {
            ws.k.channelBiasGrad(count, channels, spatial, dy, dyOff, temp, tempOff);
            ws.k.axpy(channels, 1f, temp, tempOff, db, dbOff);
        }
    }
}
