package io.bnn4j.nn;

import java.lang.foreign.MemorySegment;

/** Fully connected layer over the flattened input, weights (out, in) (PyTorch's layout), with bias. */
final class DenseLayer extends ParamLayer {

    DenseLayer(Model model, int ordinal, String name, ImageShape in, ImageShape out, Parameter weight, Parameter bias) {
        super(model, ordinal, name, in, out, weight, bias);
    }

    // x: (N, in), w: (out, in) → y: (N, out) = x·wᵀ
    @Override
    void lin(Workspace ws, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment y, long yOff, int count) {
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
