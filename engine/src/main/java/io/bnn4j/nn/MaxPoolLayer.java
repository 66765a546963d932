package io.bnn4j.nn;

import io.bnn4j.kernel.PoolGeometry;

import java.lang.foreign.MemorySegment;

/** k×k max pooling with a stride (2/2 in LeNet, 3/2 in 3conv3fc), no padding. */
final class MaxPoolLayer extends Layer {

    final int k, stride;

    MaxPoolLayer(ImageShape in, ImageShape out, int k, int stride) {
        super(in, out);
        this.k = k;
        this.stride = stride;
    }

    /** argmax: (maxImages, C, outH, outW) ints, the winner's index within its input plane. */
    @Override
    Object buffers(Workspace ws) {
        return ws.allocate((long) ws.maxImages * outSize * Integer.BYTES);
    }

    private PoolGeometry geometry(Workspace ws, int count) {
        Object[] cache = ws.geometries[index];
        PoolGeometry g = (PoolGeometry) cache[count];
        if (g == null) cache[count] = g = new PoolGeometry(count * in.c(), in.h(), in.w(), k, stride);
        return g;
    }

    // x: (N, C, H, W) → y: (N, C, outH, outW), argmax saved for backward
    @Override
    void forward(Workspace ws, Object buffers, MemorySegment x, long xOff, MemorySegment y, long yOff, int first, int count) {
        ws.k.maxPoolForward(geometry(ws, count), x, xOff, y, yOff, (MemorySegment) buffers, (long) first * outSize);
    }

    // dx = 0; dx[argmax] += dy
    @Override
    void backward(Workspace ws, Object buffers, MemorySegment x, long xOff, MemorySegment y, long yOff,
                  MemorySegment dy, long dyOff, MemorySegment dx, long dxOff, int first, int count, GradTarget g) {
        if (dx == null) return;
        ws.k.maxPoolBackward(geometry(ws, count), dy, dyOff, (MemorySegment) buffers, (long) first * outSize, dx, dxOff);
    }
}
