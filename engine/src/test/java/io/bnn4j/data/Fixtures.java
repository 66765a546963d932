package io.bnn4j.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/** Hand-built file contents for the loader tests, independent of the writers under test. */
final class Fixtures {

    private Fixtures() {}

    static byte[] randomBytes(long seed, int n) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static int[] randomLabels(long seed, int n, int classes) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] l = new int[n];
        for (int i = 0; i < n; i++) l[i] = r.nextInt(classes);
        return l;
    }

    /** An IDX file: magic, sizes, then the data (big-endian, as the format says). */
    static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteBuffer buf = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        buf.putInt(magic);
        for (int d : dims) buf.putInt(d);
        buf.put(data);
        return buf.array();
    }

    static byte[] idxImages(int n, int h, int w, byte[] pixels) {
        return idx(0x00000803, new int[] {n, h, w}, pixels);
    }

    static byte[] idxLabels(int[] labels) {
        byte[] b = new byte[labels.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) labels[i];
        return idx(0x00000801, new int[] {labels.length}, b);
    }

    static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(data);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** CIFAR records: label byte(s) then 3072 pixels each. coarse may be null (CIFAR-10). */
    static byte[] cifar(int[] coarse, int[] fine, byte[] pixels) {
        int lb = coarse == null ? 1 : 2;
        byte[] out = new byte[fine.length * (lb + 3072)];
        for (int r = 0; r < fine.length; r++) {
            int at = r * (lb + 3072);
            if (coarse != null) out[at++] = (byte) coarse[r];
            out[at++] = (byte) fine[r];
            System.arraycopy(pixels, r * 3072, out, at, 3072);
        }
        return out;
    }

    static Path write(Path file, byte[] content) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
