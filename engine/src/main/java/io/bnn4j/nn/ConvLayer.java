package io.bnn4j.nn;

import io.bnn4j.kernel.ConvGeometry;

import java.lang.foreign.MemorySegment;

/** 2-D convolution, weights (C_out, C_in, k, k), with bias; the estimator logic is in {@link ParamLayer}. */
final class ConvLayer extends ParamLayer {

    final int k, stride, pad;
    private final ConvGeometry one;

    ConvLayer(Model model, int ordinal, String name, ImageShape in, ImageShape out, Parameter weight, Parameter bias,
              int k, int stride, int pad) {
        super(model, ordinal, name, in, out, weight, bias);
        this.k = k;
        this.stride = stride;
        this.pad = pad;
        this.one = new ConvGeometry(1, in.c(), in.h(), in.w(), out.c(), k, stride, pad);
    }

    private ConvGeometry geometry(Workspace ws, int count) {
        Object[] cache = ws.geometries[index];
        ConvGeometry g = (ConvGeometry) cache[count];
        if (g == null) cache[count] = g = one.withBatch(count);
        return g;
    }

    // x: (N, C_in, H, W), w: (C_out, C_in, k, k) → y: (N, C_out, outH, outW)
    @Override
    void lin(Workspace ws, MemorySegment x, long xOff, MemorySegment w, long wOff, MemorySegment y, long yOff, int count) {
        ws.k.conv2dForward(ws.kernelPar, geometry(ws, count), x, xOff, w, wOff, y, yOff);
    }

    // dx: (N, C_in, H, W) = convᵀ(dy, w)
    @Override
    void linBackwardData(Workspace ws, MemorySegment dy, long dyOff, MemorySegment w, long wOff, MemorySegment dx, long dxOff, int count) {
        ws.k.conv2dBackwardData(ws.kernelPar, geometry(ws, count), dy, dyOff, w, wOff, dx, dxOff);
    }

    // dw: (C_out, C_in, k, k) = Σ_n corr(x_n, dy_n); the kernel overwrites, so accumulation goes through temp
    @Override
    void linBackwardWeights(Workspace ws, MemorySegment x, long xOff, MemorySegment dy, long dyOff, MemorySegment dw, long dwOff,
                            int count, boolean accumulate, MemorySegment temp, long tempOff) {
        ConvGeometry g = geometry(ws, count);
        if (!accumulate) {
            ws.k.conv2dBackwardWeights(ws.kernelPar, g, x, xOff, dy, dyOff, dw, dwOff);
        } else {
            ws.k.conv2dBackwardWeights(ws.kernelPar, g, x, xOff, dy, dyOff, temp, tempOff);
            ws.k.axpy(weight.size(), 1f, temp, tempOff, dw, dwOff);
        }
    }
}
