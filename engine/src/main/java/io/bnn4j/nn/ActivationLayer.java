package io.bnn4j.nn;

import java.lang.foreign.MemorySegment;

/** y = f(x) elementwise, f = softplus or ReLU. */
final class ActivationLayer extends Layer {

    final Activation activation;

    ActivationLayer(ImageShape shape, Activation activation) {
        super(shape, shape);
        this.activation = activation;
    }

    // x: (N, C, H, W) → y: (N, C, H, W)
    @Override
    void forward(Workspace ws, Object buffers, MemorySegment x, long xOff, MemorySegment y, long yOff, int first, int count) {
        ws.k.unary(activation.op(), count * inSize, x, xOff, y, yOff);
    }

    // dx = dy ⊙ f'(x): softplus' = sigmoid, relu' = [x > 0]
    @Override
    void backward(Workspace ws, Object buffers, MemorySegment x, long xOff, MemorySegment y, long yOff,
                  MemorySegment dy, long dyOff, MemorySegment dx, long dxOff, int first, int count, GradTarget g) {
        if (dx == null) return;
        ws.k.activationBackward(activation.op(), count * inSize, x, xOff, dy, dyOff, dx, dxOff);
    }
}
