package io.bnn4j.data;

import io.bnn4j.BnnInputException;

import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * IDX files, the MNIST / Fashion-MNIST format (LeCun's), raw or gzip-compressed.
 *
 * <p>Layout, all integers 32-bit big-endian: a magic number {@code 0x0000TTDD} (TT = data
 * type, 0x08 = unsigned byte; DD = number of dimensions), one size per dimension, then the
 * data in row-major order. Images are 0x00000803 (n, rows, cols), labels
 * 0x00000801 (n).
 *
 * <p>Validation, before anything sized by the header is allocated: the magic (an images file
 * given as labels and the reverse are named as such), the data type, the sizes (1 ..
 * 4096 per image side, at least one image, the whole in one Java array), and
 * that the sizes account for every byte of the file (a raw file's length is compared at
 * once; a gzip file's claim is first bounded by its compressed length, then read with a
 * buffer that grows only as data really arrives, and must end exactly where the header
 * says). Gzip is recognised by its magic bytes, whatever the file's name.
 */
public final class IdxFiles {

    public static final int IMAGES_MAGIC = 0x00000803;
    public static final int LABELS_MAGIC = 0x00000801;
    static final String IMAGES_MAGIC_HEX = "0x00000803";
    static final String LABELS_MAGIC_HEX = "0x00000801";
    /** The largest image side accepted, in pixels. */
    public static final int MAX_SIDE = 4096;

    private IdxFiles() {}

    /** A file's header and, when asked for, its data. dims: (n) for labels, (n, rows, cols) for images. */
    private record Block(long[] dims, byte[] data) {}

    /**
     * Images and labels from two IDX files: a labelled 1-channel dataset.
     *
     * @param classNames indexed by label; every label must be below its size
     * @throws BnnInputException naming the file and the problem
     */
    public static Dataset read(Path imagesFile, Path labelsFile, List<String> classNames) {
        // Headers first: a count mismatch is reported before megabytes are read.
        long nImages = read(imagesFile, IMAGES_MAGIC, false).dims[0];
        long nLabels = read(labelsFile, LABELS_MAGIC, false).dims[0];
        if (nImages != nLabels) {
            throw DataFiles.error(labelsFile, "holds " + nLabels + " labels but " + imagesFile + " holds "
                    + nImages + " images");
        }
        Block images = read(imagesFile, IMAGES_MAGIC, true);
        int[] labels = toLabels(labelsFile, read(labelsFile, LABELS_MAGIC, true).data, classNames.size());
        return Dataset.wrap(imagesFile.toString(), 1, (int) images.dims[1], (int) images.dims[2], images.data,
                labels, classNames);
    }

    /** The images of an IDX images file, unlabelled (for prediction): 1 channel, native size. */
    public static Dataset readImages(Path imagesFile) {
        Block images = read(imagesFile, IMAGES_MAGIC, true);
        return Dataset.wrap(imagesFile.toString(), 1, (int) images.dims[1], (int) images.dims[2], images.data,
                null, List.of());
    }

    /**
     * The labels of an IDX labels file.
     *
     * @param numClasses every label must be below it
     */
    public static int[] readLabels(Path labelsFile, int numClasses) {
        return toLabels(labelsFile, read(labelsFile, LABELS_MAGIC, true).data, numClasses);
    }

    /** The number of items (images or labels) an IDX file's header declares, after validating it. */
    public static long count(Path file, boolean images) {
        return read(file, images ? IMAGES_MAGIC : LABELS_MAGIC, false).dims[0];
    }

    /**
     * Whether the file (raw or gzip) starts with the IDX images magic: tells an IDX input
     * apart from an image file. Reads 4 bytes; validates nothing else.
     */
    public static boolean isImagesFile(Path file) {
        DataFiles.requireFile(file);
        try (InputStream in = DataFiles.open(file, DataFiles.isGzip(file))) {
            return DataFiles.readIntBE(in) == IMAGES_MAGIC;
        } catch (EOFException e) {
            return false;
        } catch (IOException e) {
            throw DataFiles.ioError(file, e);
        }
    }

    private static int[] toLabels(Path file, byte[] bytes, int numClasses) {
        int[] labels = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            int v = bytes[i] & 0xFF;
            if (v >= numClasses) {
                throw DataFiles.error(file, "label " + v + " of item " + i + " is outside 0.." + (numClasses - 1)
                        + " (" + numClasses + " classes)");
            }
            labels[i] = v;
        }
        return labels;
    }

    private static Block read(Path file, int expectedMagic, boolean withData) {
        long fileSize = DataFiles.requireFile(file);
        boolean gzip = DataFiles.isGzip(file);
        try (InputStream in = DataFiles.open(file, gzip)) {
            int magic;
            try {
                magic = DataFiles.readIntBE(in);
            } catch (EOFException e) {
                throw DataFiles.error(file, "is too short to be an IDX file");
            }
            checkMagic(file, magic, expectedMagic);
            boolean images = expectedMagic == IMAGES_MAGIC;
            long[] dims = new long[images ? 3 : 1];
            try {
                for (int d = 0; d < dims.length; d++) dims[d] = DataFiles.readIntBE(in) & 0xFFFFFFFFL;
            } catch (EOFException e) {
                throw DataFiles.error(file, "is truncated inside its IDX header");
            }
            long header = 4L + 4L * dims.length;
            long payload = checkDims(file, dims, images);
            String what = images ? "pixels" : "labels";
            if (gzip) {
                DataFiles.checkGzipClaim(file, fileSize, header + payload, what);
            } else if (fileSize - header < payload) {
                throw DataFiles.error(file, "is truncated: its header promises " + payload + " bytes of " + what
                        + " but only " + (fileSize - header) + " follow");
            } else if (fileSize - header > payload) {
                throw DataFiles.error(file, "has " + (fileSize - header - payload) + " unexpected byte(s) after its "
                        + dims[0] + (images ? " images" : " labels"));
            }
            if (!withData) return new Block(dims, null);
            long itemBytes = images ? dims[1] * dims[2] : 1;
            byte[] data = DataFiles.readExactly(in, payload, file, what, itemBytes, images ? "images" : "labels");
            DataFiles.expectEnd(in, file, "its " + dims[0] + (images ? " images" : " labels"));
            return new Block(dims, data);
        } catch (IOException e) {
            throw DataFiles.ioError(file, e);
        }
    }

    private static void checkMagic(Path file, int magic, int expected) {
        if (magic == expected) return;
        String want = expected == IMAGES_MAGIC ? "an IDX images file (" + IMAGES_MAGIC_HEX + ")"
                                               : "an IDX labels file (" + LABELS_MAGIC_HEX + ")";
        if (magic == LABELS_MAGIC) {
            throw DataFiles.error(file, "is an IDX labels file (magic " + LABELS_MAGIC_HEX + "), expected " + want);
        }
        if (magic == IMAGES_MAGIC) {
            throw DataFiles.error(file, "is an IDX images file (magic " + IMAGES_MAGIC_HEX + "), expected " + want);
        }
        if ((magic >>> 16) != 0) {
            throw DataFiles.error(file, "is not an IDX file (it starts with " + hex(magic) + "), expected " + want);
        }
        int type = (magic >>> 8) & 0xFF;
        if (type != 0x08) {
            throw DataFiles.error(file, "holds IDX data type 0x" + String.format("%02X", type)
                    + "; only unsigned bytes (0x08) are supported");
        }
        throw DataFiles.error(file, "has IDX magic " + hex(magic) + " (" + (magic & 0xFF) + " dimensions), expected "
                + want);
    }

    private static String hex(int v) {
        return String.format("0x%08X", v);
    }

    /** Checks the declared sizes without allocating; returns the payload's byte count. */
    private static long checkDims(Path file, long[] dims, boolean images) {
        long n = dims[0];
        String items = images ? "images" : "labels";
        if (n == 0) throw DataFiles.error(file, "holds no " + items + " (its header says 0)");
        if (n > Dataset.MAX_PIXEL_BYTES) {
            throw DataFiles.error(file, "header claims " + n + " " + items + ", more than the " + Dataset.MAX_PIXEL_BYTES
                    + " that fit in memory");
        }
        if (!images) return n;
        long rows = dims[1], cols = dims[2];
        if (rows < 1 || cols < 1 || rows > MAX_SIDE || cols > MAX_SIDE) {
            throw DataFiles.error(file, "header claims images of " + rows + "x" + cols + " pixels; each side must be 1.."
                    + MAX_SIDE);
        }
        long bytes = n * rows * cols;   // < 2^31 · 2^24: no overflow
        if (bytes > Dataset.MAX_PIXEL_BYTES) {
            throw DataFiles.error(file, "header claims " + n + " images of " + rows + "x" + cols + " = " + bytes
                    + " bytes, more than the " + Dataset.MAX_PIXEL_BYTES + " that fit in memory");
        }
        return bytes;
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes a 1-channel labelled dataset as an IDX images file and an IDX labels file
     * (gzip-compressed when a name ends in {@code .gz}), each atomically: written to a
     * temporary file beside it, then renamed, so no half-written file is left behind.
     */
    public static void write(Dataset data, Path imagesFile, Path labelsFile) {
        if (data.channels() != 1) {
            throw new IllegalArgumentException("IDX holds 1-channel images; this dataset has " + data.channels());
        }
        int n = data.size();
        byte[] pixels = new byte[Math.multiplyExact(n, data.imageBytes())];
        for (int i = 0; i < n; i++) System.arraycopy(data.image(i), 0, pixels, i * data.imageBytes(), data.imageBytes());
        writeImages(imagesFile, n, data.height(), data.width(), pixels);
        writeLabels(labelsFile, data.labels());
    }

    /** Writes pixels (n, rows, cols) as an IDX images file, atomically; gzip when the name ends in .gz. */
    public static void writeImages(Path file, int n, int rows, int cols, byte[] pixels) {
        if ((long) n * rows * cols != pixels.length) {
            throw new IllegalArgumentException(pixels.length + " bytes is not " + n + " images of " + rows + "x" + cols);
        }
        writeAtomically(file, out -> {
            writeIntBE(out, IMAGES_MAGIC);
            writeIntBE(out, n);
            writeIntBE(out, rows);
            writeIntBE(out, cols);
            out.write(pixels);
        });
    }

    /** Writes labels (each 0..255) as an IDX labels file, atomically; gzip when the name ends in .gz. */
    public static void writeLabels(Path file, int[] labels) {
        byte[] bytes = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] > 255) throw new IllegalArgumentException("label " + labels[i] + " is not a byte");
            bytes[i] = (byte) labels[i];
        }
        writeAtomically(file, out -> {
            writeIntBE(out, LABELS_MAGIC);
            writeIntBE(out, labels.length);
            out.write(bytes);
        });
    }

    private interface Body {
        void write(OutputStream out) throws IOException;
    }

    private static void writeAtomically(Path file, Body body) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        boolean gzip = file.getFileName().toString().endsWith(".gz");
        try {
            try (OutputStream raw = Files.newOutputStream(tmp);
                 OutputStream out = new BufferedOutputStream(gzip ? new GZIPOutputStream(raw, 1 << 16) : raw, 1 << 16)) {
                body.write(out);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original error matters more
            }
            throw new BnnInputException(file + ": cannot be written (" + DataFiles.oneLine(e.getMessage()) + ")", e);
        }
    }

    private static void writeIntBE(OutputStream out, int v) throws IOException {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }
}
