package io.bnn4j.nn;

import io.bnn4j.kernel.SparseRows;

import java.lang.foreign.MemorySegment;

/** Fully connected layer over the flattened input, weights (out, in) (PyTorch's layout), with bias. */
final class DenseLayer extends ParamLayer {

    /**
     * Inference only: μ_W and lrtVar_W (σ²) of a mostly pruned weight in sparse rows, made by
     * {@link Model#prepareSparseInference()} and dropped whenever the parameters change; null =
     * use the dense GEMM.
     */
    volatile SparseRows sparseMu, sparseVar;

    DenseLayer(Model model, int ordinal, String name, ImageShape in, ImageShape out, Parameter weight, Parameter bias) {
        super(model, ordinal, name, in, out, weight, bias);
    }

    /** The sparse form of the weight tensor at (w, wOff) (μ or σ²), or null. */
    private SparseRows sparseFor(MemorySegment w, long wOff) {
        if (w != model.segment()) return null;   // BBB's drawn weights: dense
        if (wOff == model.muBase() + weight.offset()) return sparseMu;
        if (model.bayesian() && wOff == model.lrtVarBase() + weight.offset()) return sparseVar;
        return null;
    }

    // x: (N, in), w: (out, in) → y: (N, out) = x·wᵀ; a pruned weight in inference: only its kept entries
    @Override
    void lin(Workspace ws, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment y, long yOff, int count) {
        SparseRows s = ws.training || count > Model.SPARSE_MAX_ROWS ? null : sparseFor(w, wOff);
        if (s != null) {
            ws.k.sparseMatmulTransposed(count, s, x, xOff, inSize, y, yOff, outSize);
            return;
        }
        ws.k.gemm(ws.kernelPar, false, true, count, outSize, inSize, 1f, x, xOff, inSize, w, wOff, inSize, 0f, y, yOff, outSize);
    }

    // dx: (N, in) = dy·w
    @Override
    void linBackwardData(Workspace ws, MemorySegment dy, long dyOff, MemorySegment w, long wOff, MemorySegment dx, long dxOff, int count) {
        ws.k.gemm(ws.kernelPar, false, false, count, inSize, outSize, 1f, dy, dyOff, outSize, w, wOff, inSize, 0f, dx, dxOff, inSize);
    }

    // dw: (out, in) (+)= dyᵀ·x (GEMM's beta accumulates directly)
    @Override
    void linBackwardWeights(Workspace ws, MemorySegment x, long xOff, MemorySegment dy, long dyOff, MemorySegment dw, long dwOff,
                            int count, boolean accumulate, MemorySegment temp, long tempOff) {
        ws.k.gemm(ws.kernelPar, true, false, outSize, inSize, count, 1f, dy, dyOff, outSize, x, xOff, inSize,
                accumulate ? 1f : 0f, dw, dwOff, inSize);
    }
}
