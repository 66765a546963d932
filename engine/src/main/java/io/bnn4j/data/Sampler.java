package io.bnn4j.data;

import io.bnn4j.BnnInputException;

import java.util.Arrays;

/**
 * Turns one stored image, unsigned bytes (c, h, w), into model input floats (C, H, W) in
 * [0, 1]: channel conversion plus {@link ImageTransform}. Built once per target shape and
 * reused for every image (immutable, so any number of threads may share it); rendering
 * allocates nothing.
 *
 * <p>Byte to float goes through a 256-entry table ({@code b / 255f}), so the default path
 * (same channels, PAD) is one table lookup per pixel plus the zero frame.
 *
 * <p>Channels: equal counts pass through; gray → RGB replicates the plane; RGB → gray is the
 * ITU-R BT.601 luminance 0.299 R + 0.587 G + 0.114 B (what PIL's {@code convert('L')} uses),
 * computed on the scaled values with three tables. Other conversions are refused.
 */
final class Sampler {

    /** UNIT[b] = b / 255: a byte's value in [0, 1]. */
    static final float[] UNIT = table(1.0);
    private static final float[] LUM_R = table(0.299);
    private static final float[] LUM_G = table(0.587);
    private static final float[] LUM_B = table(0.114);

    private static float[] table(double weight) {
        float[] t = new float[256];
        for (int b = 0; b < 256; b++) t[b] = (float) (weight * b / 255.0);
        return t;
    }

    private enum ChannelMap { SAME, GRAY_TO_RGB, RGB_TO_GRAY }

    final int srcC, srcH, srcW, dstC, dstH, dstW;
    final ImageTransform transform;
    private final ChannelMap map;
    private final int srcPlane, dstPlane;

    // PAD: target (ty, tx) shows source (ty − padTop, tx − padLeft) when that lies inside the
    // image; rows [yBegin, yEnd) and columns [xBegin, xEnd) of the target do.
    private final int padTop, padLeft, yBegin, yEnd, xBegin, xEnd;

    // RESIZE: target row ty blends source rows y0[ty] and y1[ty] with weight fy[ty] on y1;
    // likewise for columns. Shapes: (dstH) and (dstW).
    private final int[] y0, y1, x0, x1;
    private final float[] fy, fx;

    Sampler(int srcC, int srcH, int srcW, int dstC, int dstH, int dstW, ImageTransform transform, String source) {
        if (dstC < 1 || dstH < 1 || dstW < 1) {
            throw new IllegalArgumentException("target shape (" + dstC + ", " + dstH + ", " + dstW + ") must be positive");
        }
        if (transform == null) throw new NullPointerException("transform");
        this.srcC = srcC;
        this.srcH = srcH;
        this.srcW = srcW;
        this.dstC = dstC;
        this.dstH = dstH;
        this.dstW = dstW;
        this.transform = transform;
        this.map = channelMap(srcC, dstC, source);
        this.srcPlane = srcH * srcW;
        this.dstPlane = dstH * dstW;

        padTop = Math.floorDiv(dstH - srcH, 2);
        padLeft = Math.floorDiv(dstW - srcW, 2);
        yBegin = Math.max(0, padTop);
        yEnd = Math.min(dstH, srcH + padTop);
        xBegin = Math.max(0, padLeft);
        xEnd = Math.min(dstW, srcW + padLeft);

        if (transform == ImageTransform.RESIZE) {
            y0 = new int[dstH];
            y1 = new int[dstH];
            fy = new float[dstH];
            axis(srcH, dstH, y0, y1, fy);
            x0 = new int[dstW];
            x1 = new int[dstW];
            fx = new float[dstW];
            axis(srcW, dstW, x0, x1, fx);
        } else {
            y0 = y1 = x0 = x1 = null;
            fy = fx = null;
        }
    }

    /** Whether a model with {@code to} input channels can take images with {@code from}. */
    static boolean canConvert(int from, int to) {
        return from == to || (from == 1 && to == 3) || (from == 3 && to == 1);
    }

    private static ChannelMap channelMap(int from, int to, String source) {
        if (from == to) return ChannelMap.SAME;
        if (from == 1 && to == 3) return ChannelMap.GRAY_TO_RGB;
        if (from == 3 && to == 1) return ChannelMap.RGB_TO_GRAY;
        throw new BnnInputException(source + ": images have " + from + " channel(s) but the model wants " + to
                + " (only gray <-> RGB conversions exist)");
    }

    /** PyTorch's half-pixel source index (align_corners=False) for each target index. */
    private static void axis(int in, int out, int[] lo, int[] hi, float[] frac) {
        double scale = (double) in / out;
        for (int d = 0; d < out; d++) {
            double s = Math.max(0.0, (d + 0.5) * scale - 0.5);
            int i = Math.min((int) s, in - 1);
            lo[d] = i;
            hi[d] = Math.min(i + 1, in - 1);
            frac[d] = (float) (s - i);
        }
    }

    boolean matches(int c, int h, int w, ImageTransform t) {
        return c == dstC && h == dstH && w == dstW && t == transform;
    }

    int outputFloats() {
        return dstC * dstPlane;
    }

    /** Image at byte offset {@code src} of {@code px} → out[o, o + outputFloats()) as (C, H, W). */
    void render(byte[] px, int src, float[] out, int o) {
        switch (map) {
            case SAME -> {
                for (int c = 0; c < dstC; c++) plane(px, src + c * srcPlane, out, o + c * dstPlane);
            }
            case GRAY_TO_RGB -> {
                plane(px, src, out, o);
                System.arraycopy(out, o, out, o + dstPlane, dstPlane);
                System.arraycopy(out, o, out, o + 2 * dstPlane, dstPlane);
            }
            case RGB_TO_GRAY -> luminance(px, src, out, o);
        }
    }

    // One channel plane: src (h, w) bytes → out (H, W) floats.
    private void plane(byte[] px, int src, float[] out, int o) {
        float[] unit = UNIT;
        if (transform == ImageTransform.PAD) {
            clearFrame(out, o);
            int span = xEnd - xBegin;
            for (int ty = yBegin; ty < yEnd; ty++) {
                int s = src + (ty - padTop) * srcW + (xBegin - padLeft);
                int d = o + ty * dstW + xBegin;
                for (int k = 0; k < span; k++) out[d + k] = unit[px[s + k] & 0xFF];
            }
        } else {
            for (int ty = 0; ty < dstH; ty++) {
                int r0 = src + y0[ty] * srcW, r1 = src + y1[ty] * srcW;
                float wy = fy[ty];
                int d = o + ty * dstW;
                for (int tx = 0; tx < dstW; tx++) {
                    int a = x0[tx], b = x1[tx];
                    float wx = fx[tx];
                    float v00 = unit[px[r0 + a] & 0xFF], v01 = unit[px[r0 + b] & 0xFF];
                    float v10 = unit[px[r1 + a] & 0xFF], v11 = unit[px[r1 + b] & 0xFF];
                    float top = v00 + (v01 - v00) * wx;
                    float bottom = v10 + (v11 - v10) * wx;
                    out[d + tx] = top + (bottom - top) * wy;
                }
            }
        }
    }

    // Three planes (R, G, B) at src → one luminance plane (H, W).
    private void luminance(byte[] px, int src, float[] out, int o) {
        int g = src + srcPlane, b = src + 2 * srcPlane;
        if (transform == ImageTransform.PAD) {
            clearFrame(out, o);
            int span = xEnd - xBegin;
            for (int ty = yBegin; ty < yEnd; ty++) {
                int s = (ty - padTop) * srcW + (xBegin - padLeft);
                int d = o + ty * dstW + xBegin;
                for (int k = 0; k < span; k++) out[d + k] = lum(px, src, g, b, s + k);
            }
        } else {
            for (int ty = 0; ty < dstH; ty++) {
                int r0 = y0[ty] * srcW, r1 = y1[ty] * srcW;
                float wy = fy[ty];
                int d = o + ty * dstW;
                for (int tx = 0; tx < dstW; tx++) {
                    int a = x0[tx], c = x1[tx];
                    float wx = fx[tx];
                    float v00 = lum(px, src, g, b, r0 + a), v01 = lum(px, src, g, b, r0 + c);
                    float v10 = lum(px, src, g, b, r1 + a), v11 = lum(px, src, g, b, r1 + c);
                    float top = v00 + (v01 - v00) * wx;
                    float bottom = v10 + (v11 - v10) * wx;
                    out[d + tx] = top + (bottom - top) * wy;
                }
            }
        }
    }

    private static float lum(byte[] px, int r, int g, int b, int k) {
        return LUM_R[px[r + k] & 0xFF] + LUM_G[px[g + k] & 0xFF] + LUM_B[px[b + k] & 0xFF];
    }

    // Zeroes the part of the (H, W) plane at o that PAD leaves empty: rows above and below the
    // image, and the margins left and right of it.
    private void clearFrame(float[] out, int o) {
        if (yBegin >= yEnd || xBegin >= xEnd) {
            Arrays.fill(out, o, o + dstPlane, 0f);
            return;
        }
        Arrays.fill(out, o, o + yBegin * dstW, 0f);
        Arrays.fill(out, o + yEnd * dstW, o + dstPlane, 0f);
        if (xBegin > 0 || xEnd < dstW) {
            for (int ty = yBegin; ty < yEnd; ty++) {
                int row = o + ty * dstW;
                Arrays.fill(out, row, row + xBegin, 0f);
                Arrays.fill(out, row + xEnd, row + dstW, 0f);
            }
        }
    }
}
