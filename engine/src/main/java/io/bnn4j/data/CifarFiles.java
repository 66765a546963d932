package io.bnn4j.data;

import io.bnn4j.BnnInputException;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * CIFAR-10 and CIFAR-100 in their binary version (Krizhevsky's), as batch files or straight
 * from the official {@code .tar.gz}.
 *
 * <p>A batch file is a run of fixed-size records: the label byte(s) (CIFAR-10: the class;
 * CIFAR-100: the coarse class, then the fine class), then 3072 pixel bytes, 1024 red, 1024
 * green, 1024 blue, each plane row-major 32×32: exactly the (c, h, w) layout a
 * {@link Dataset} stores. CIFAR-100 datasets carry the fine labels (100 classes); the coarse
 * byte is checked (0..19) and dropped.
 *
 * <p>Validation before allocating: a file's (or archive entry's) length must be a non-zero
 * multiple of the record size and the total must fit in one array; an archive entry's claimed
 * size is also bounded by what its compressed archive could hold. Every label is checked.
 *
 * <p>Archives are streamed (gunzip then untar) in one pass. Since the batch entries may come
 * in any order, each is decoded into its own arrays and they are joined at the end: peak
 * memory is about twice the split's size (300 MB for CIFAR-10's training split). Batch files
 * in a directory are decoded straight into the final arrays.
 */
public final class CifarFiles {

    /** Pixel bytes of one CIFAR image: 3 × 32 × 32. */
    public static final int IMAGE_BYTES = 3 * 32 * 32;
    public static final int SIDE = 32;

    /** The two CIFAR variants: their record layout, their file and archive names. */
    public enum Kind {
        CIFAR10("CIFAR-10", 1, 10, "cifar-10-batches-bin", "cifar-10-binary.tar.gz", "batches.meta.txt"),
        CIFAR100("CIFAR-100", 2, 100, "cifar-100-binary", "cifar-100-binary.tar.gz", "fine_label_names.txt");

        private final String title;
        private final int labelBytes;
        private final int numClasses;
        private final String folder;
        private final String archiveName;
        private final String namesFile;

        Kind(String title, int labelBytes, int numClasses, String folder, String archiveName, String namesFile) {
            this.title = title;
            this.labelBytes = labelBytes;
            this.numClasses = numClasses;
            this.folder = folder;
            this.archiveName = archiveName;
            this.namesFile = namesFile;
        }

        /** Bytes per record: label byte(s) + 3072 pixels (3073 or 3074). */
        public int recordBytes() { return labelBytes + IMAGE_BYTES; }

        public int numClasses() { return numClasses; }

        /** The folder the official archive unpacks into: cifar-10-batches-bin or cifar-100-binary. */
        public String folder() { return folder; }

        /** The official archive's file name: cifar-10-binary.tar.gz or cifar-100-binary.tar.gz. */
        public String archiveName() { return archiveName; }

        /** The class names file in the folder: batches.meta.txt or fine_label_names.txt. */
        public String namesFile() { return namesFile; }

        /** The class names when there is no names file. */
        public List<String> defaultClassNames() {
            return this == CIFAR10 ? ClassNames.CIFAR10 : ClassNames.numbered(numClasses);
        }

        /** The test split's file name: test_batch.bin or test.bin. */
        public String testFile() { return this == CIFAR10 ? "test_batch.bin" : "test.bin"; }

        /** Whether {@code fileName} is a training batch's name; CIFAR-10's are data_batch_N.bin. */
        int trainBatchNumber(String fileName) {
            if (this == CIFAR100) return fileName.equals("train.bin") ? 1 : -1;
            Matcher m = DATA_BATCH.matcher(fileName);
            return m.matches() && m.group(1).length() < 6 ? Integer.parseInt(m.group(1)) : -1;
        }

        /** The training split's file names as the documentation states them. */
        String trainFilesText() {
            return this == CIFAR10 ? "data_batch_1.bin .. data_batch_5.bin" : "train.bin";
        }

        @Override
        public String toString() { return title; }
    }

    private static final Pattern DATA_BATCH = Pattern.compile("data_batch_([1-9][0-9]*)\\.bin");

    private CifarFiles() {}

    // ------------------------------------------------------------------ batch files

    /**
     * The training batch files of a folder, in order: CIFAR-10's data_batch_1.bin ..
     * data_batch_N.bin (N consecutive from 1; a gap is an error), CIFAR-100's train.bin. Empty
     * when there are none.
     */
    public static List<Path> trainFiles(Path folder, Kind kind) {
        TreeMap<Integer, Path> found = new TreeMap<>();
        try (var entries = Files.list(folder)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                int number = kind.trainBatchNumber(p.getFileName().toString());
                if (number > 0) found.put(number, p);
            }
        } catch (IOException e) {
            throw DataFiles.ioError(folder, e);
        }
        checkConsecutive(folder, kind, found.keySet());
        return List.copyOf(found.values());
    }

    static void checkConsecutive(Path where, Kind kind, Iterable<Integer> numbers) {
        int expected = 1;
        for (int n : numbers) {
            if (n != expected) {
                throw DataFiles.error(where, "has data_batch_" + n + ".bin but no data_batch_" + expected
                        + ".bin (" + kind + " training batches are numbered 1, 2, ... without gaps)");
            }
            expected++;
        }
    }

    /**
     * The images of one or more batch files, concatenated in the order given.
     *
     * @param classNames kind.numClasses() names, indexed by label
     */
    public static Dataset readBatches(Kind kind, List<Path> files, List<String> classNames) {
        if (files.isEmpty()) throw new IllegalArgumentException("no batch files");
        checkNames(files.getFirst(), kind, classNames);
        long[] records = new long[files.size()];
        long total = 0;
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            records[f] = recordCount(file, DataFiles.requireFile(file), kind);
            total += records[f];
        }
        checkTotal(files.getFirst(), total);
        byte[] pixels = new byte[(int) (total * IMAGE_BYTES)];
        int[] labels = new int[(int) total];
        int at = 0;
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            try (InputStream in = DataFiles.open(file, false)) {
                decode(in, (int) records[f], kind, pixels, labels, at, file.toString());
                DataFiles.expectEnd(in, file, "its " + records[f] + " records");
            } catch (IOException e) {
                throw DataFiles.ioError(file, e);
            }
            at += (int) records[f];
        }
        String source = files.size() == 1 ? files.getFirst().toString() : files.getFirst().getParent() + " ("
                + kind + " " + files.size() + " batches)";
        return Dataset.wrap(source, 3, SIDE, SIDE, pixels, labels, classNames);
    }

    private static long recordCount(Path file, long bytes, Kind kind) {
        if (bytes % kind.recordBytes() != 0) {
            throw DataFiles.error(file, "is not a " + kind + " batch: its " + bytes + " bytes are not a whole number of "
                    + kind.recordBytes() + "-byte records");
        }
        return bytes / kind.recordBytes();
    }

    static void checkTotal(Path where, long records) {
        if (records * IMAGE_BYTES > Dataset.MAX_PIXEL_BYTES) {
            throw DataFiles.error(where, "holds " + records + " images, more than fit in memory ("
                    + Dataset.MAX_PIXEL_BYTES / IMAGE_BYTES + ")");
        }
    }

    static void checkNames(Path where, Kind kind, List<String> classNames) {
        if (classNames.size() != kind.numClasses()) {
            throw DataFiles.error(where, kind + " has " + kind.numClasses() + " classes but " + classNames.size()
                    + " class names were given");
        }
    }

    // Decodes `records` records from `in` into pixels/labels starting at image `at`.
    static void decode(InputStream in, int records, Kind kind, byte[] pixels, int[] labels, int at,
                               String where) throws IOException {
        DataInputStream data = new DataInputStream(in);
        byte[] head = new byte[kind.labelBytes];
        for (int r = 0; r < records; r++) {
            try {
                data.readFully(head);
                data.readFully(pixels, (at + r) * IMAGE_BYTES, IMAGE_BYTES);
            } catch (EOFException e) {
                throw new BnnInputException(where + ": is truncated: the data ends after " + r + " of " + records + " images");
            }
            int label = head[kind.labelBytes - 1] & 0xFF;
            if (kind == Kind.CIFAR100 && (head[0] & 0xFF) >= 20) {
                throw new BnnInputException(where + ": record " + r + " has coarse label " + (head[0] & 0xFF)
                        + ", outside 0..19");
            }
            if (label >= kind.numClasses()) {
                throw new BnnInputException(where + ": record " + r + " has label " + label + ", outside 0.."
                        + (kind.numClasses() - 1));
            }
            labels[at + r] = label;
        }
    }

    // ------------------------------------------------------------------ the official archive

    /**
     * One split straight from the official archive (cifar-10-binary.tar.gz or
     * cifar-100-binary.tar.gz), streamed. Entries are matched by file name whatever their
     * folder; the names file inside is used when present, else
     * {@link Kind#defaultClassNames()}.
     *
     * @param classNames the class names to use, or null to take them from the archive (or
     *        the defaults)
     * @return empty when the archive has training batches but not the test split asked for
     * @throws BnnInputException when the archive holds no batch of this kind at all, the
     *         training batches have a gap, or anything is malformed
     */
    public static Optional<Dataset> readTarGz(Path archive, Kind kind, Split split, List<String> classNames) {
        return Optional.ofNullable(CifarArchive.scan(archive, kind, split, true, classNames).data());
    }

    /** Whether the archive holds the split (reads through it, decoding nothing). */
    public static boolean tarHasSplit(Path archive, Kind kind, Split split) {
        return CifarArchive.scan(archive, kind, split, false, null).present();
    }

}
