package io.bnn4j.kernel;

/**
 * Max pooling over planes: x: (planes, h, w) → y: (planes, outH, outW), windows k×k with
 * the given stride, no padding (windows that would overhang are dropped, as in PyTorch).
 * planes = N·C.
 */
public record PoolGeometry(int planes, int h, int w, int k, int stride) {

    public PoolGeometry {
        if (planes < 0 || h < 1 || w < 1 || k < 1 || stride < 1 || k > h || k > w) {
            throw new IllegalArgumentException("invalid pooling geometry " + this);
        }
    }

    public int outH() { return (h - k) / stride + 1; }

    public int outW() { return (w - k) / stride + 1; }

    public long inputSize() { return (long) planes * h * w; }

    public long outputSize() { return (long) planes * outH() * outW(); }
}
