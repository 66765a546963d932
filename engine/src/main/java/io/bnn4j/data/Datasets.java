package io.bnn4j.data;

import io.bnn4j.BnnInputException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Loads a dataset from a directory that holds it under its standard file names.
 *
 * <table>
 *   <caption>What is looked for</caption>
 *   <tr><th>format</th><th>TRAIN</th><th>TEST</th></tr>
 *   <tr><td>IDX (MNIST, Fashion-MNIST)</td>
 *       <td>train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz]</td>
 *       <td>t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]</td></tr>
 *   <tr><td>CIFAR-10</td><td>data_batch_1.bin .. data_batch_N.bin</td><td>test_batch.bin</td></tr>
 *   <tr><td>CIFAR-100</td><td>train.bin</td><td>test.bin</td></tr>
 * </table>
 * CIFAR files are looked for in the directory itself and in the folder the official archive
 * unpacks into (cifar-10-batches-bin/, cifar-100-binary/); failing both, the official archive
 * (cifar-10-binary.tar.gz, cifar-100-binary.tar.gz) in the directory is streamed. When both
 * a raw and a .gz IDX file exist the raw one is used. A directory holding two different
 * formats is refused rather than guessed at.
 *
 * <p>Class names: a {@code classes.txt} in the directory (one name a line) wins; else the
 * CIFAR names file (batches.meta.txt, fine_label_names.txt) beside the batches; else for IDX
 * the Fashion-MNIST names when the directory's name contains "fashion" (as
 * testdata/fashion-mnist and Debian's /usr/share/datasets/fashion-mnist do), the digits
 * otherwise; CIFAR-10's names; CIFAR-100's labels numbered.
 *
 * <p>Every problem (missing directory, a file given for the directory, no dataset, a missing
 * companion file, an empty or malformed file) is a {@link BnnInputException} with one line
 * naming the path.
 */
public final class Datasets {

    /** The optional class names file of a dataset directory. */
    public static final String CLASSES_FILE = "classes.txt";

    private Datasets() {}

    /** A directory's dataset, located but not read. Split files are null when absent. */
    private sealed interface Layout permits Idx, CifarFolder, CifarArchive {
        DataFormat format();
    }

    private record Idx(Path dir, Path trainImages, Path trainLabels, Path testImages, Path testLabels)
            implements Layout {
        public DataFormat format() { return DataFormat.IDX; }
    }

    private record CifarFolder(CifarFiles.Kind kind, Path folder, List<Path> train, Path test) implements Layout {
        public DataFormat format() { return kind == CifarFiles.Kind.CIFAR10 ? DataFormat.CIFAR10 : DataFormat.CIFAR100; }
    }

    private record CifarArchive(CifarFiles.Kind kind, Path archive) implements Layout {
        public DataFormat format() { return kind == CifarFiles.Kind.CIFAR10 ? DataFormat.CIFAR10 : DataFormat.CIFAR100; }
    }

    /**
     * The split of the dataset in {@code dir}.
     *
     * @throws BnnInputException when the directory holds no dataset, lacks that split, or
     *         anything in it is malformed
     */
    public static Dataset load(Path dir, Split split) {
        return loadIfPresent(dir, split).orElseThrow(() -> DataFiles.error(dir, "has no " + splitName(split)
                + " split (expected " + expectedFiles(locate(dir), split) + ")"));
    }

    /**
     * The split of the dataset in {@code dir}, or empty when the directory holds a dataset but
     * not that split (typically: no test files).
     *
     * @throws BnnInputException when the directory holds no dataset or anything is malformed
     */
    public static Optional<Dataset> loadIfPresent(Path dir, Split split) {
        Layout layout = locate(dir);
        return switch (layout) {
            case Idx idx -> {
                Path images = split == Split.TRAIN ? idx.trainImages : idx.testImages;
                Path labels = split == Split.TRAIN ? idx.trainLabels : idx.testLabels;
                if (images == null) yield Optional.empty();
                yield Optional.of(IdxFiles.read(images, labels, idxClassNames(dir)));
            }
            case CifarFolder f -> {
                List<Path> files = split == Split.TRAIN ? f.train : (f.test == null ? List.of() : List.of(f.test));
                if (files.isEmpty()) yield Optional.empty();
                yield Optional.of(CifarFiles.readBatches(f.kind, files, cifarClassNames(dir, f.folder, f.kind)));
            }
            case CifarArchive a -> {
                Path classes = dir.resolve(CLASSES_FILE);
                yield CifarFiles.readTarGz(a.archive, a.kind, split,
                        Files.exists(classes) ? ClassNames.read(classes) : null);
            }
        };
    }

    /** Whether the dataset in {@code dir} has that split (a CIFAR archive is read through to know). */
    public static boolean hasSplit(Path dir, Split split) {
        return switch (locate(dir)) {
            case Idx idx -> (split == Split.TRAIN ? idx.trainImages : idx.testImages) != null;
            case CifarFolder f -> split == Split.TRAIN ? !f.train.isEmpty() : f.test != null;
            case CifarArchive a -> CifarFiles.tarHasSplit(a.archive, a.kind, split);
        };
    }

    /** The format of the dataset in {@code dir}. */
    public static DataFormat format(Path dir) {
        return locate(dir).format();
    }

    // ------------------------------------------------------------------ locating

    private static Layout locate(Path dir) {
        if (!Files.exists(dir)) throw DataFiles.error(dir, "does not exist");
        if (!Files.isDirectory(dir)) {
            throw DataFiles.error(dir, "is a file, expected a directory holding a dataset");
        }
        List<Layout> found = new ArrayList<>();
        Idx idx = locateIdx(dir);
        if (idx != null) found.add(idx);
        for (CifarFiles.Kind kind : CifarFiles.Kind.values()) {
            Layout cifar = locateCifar(dir, kind);
            if (cifar != null) found.add(cifar);
        }
        if (found.isEmpty()) {
            throw DataFiles.error(dir, "holds no dataset: expected train-images-idx3-ubyte[.gz] and "
                    + "train-labels-idx1-ubyte[.gz] (MNIST, Fashion-MNIST), data_batch_1.bin or "
                    + "cifar-10-binary.tar.gz (CIFAR-10), or train.bin or cifar-100-binary.tar.gz (CIFAR-100)");
        }
        if (found.size() > 1) {
            throw DataFiles.error(dir, "holds both " + found.get(0).format().displayName() + " and " + found.get(1).format().displayName()
                    + " files; use a directory with one dataset");
        }
        return found.getFirst();
    }

    private static Idx locateIdx(Path dir) {
        Path trainImages = idxFile(dir, "train-images-idx3-ubyte");
        Path trainLabels = idxFile(dir, "train-labels-idx1-ubyte");
        Path testImages = idxFile(dir, "t10k-images-idx3-ubyte");
        Path testLabels = idxFile(dir, "t10k-labels-idx1-ubyte");
        if (trainImages == null && trainLabels == null && testImages == null && testLabels == null) return null;
        requirePair(dir, trainImages, trainLabels, "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
        requirePair(dir, testImages, testLabels, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
        return new Idx(dir, trainImages, trainLabels, testImages, testLabels);
    }

    private static void requirePair(Path dir, Path images, Path labels, String imagesName, String labelsName) {
        if (images != null && labels == null) {
            throw DataFiles.error(dir, "has " + images.getFileName() + " but no " + labelsName + "[.gz]");
        }
        if (images == null && labels != null) {
            throw DataFiles.error(dir, "has " + labels.getFileName() + " but no " + imagesName + "[.gz]");
        }
    }

    /** The raw file if present, else the .gz one, else null. */
    private static Path idxFile(Path dir, String name) {
        Path raw = dir.resolve(name);
        if (Files.exists(raw)) return raw;
        Path gz = dir.resolve(name + ".gz");
        return Files.exists(gz) ? gz : null;
    }

    private static Layout locateCifar(Path dir, CifarFiles.Kind kind) {
        for (Path folder : List.of(dir, dir.resolve(kind.folder()))) {
            if (!Files.isDirectory(folder)) continue;
            List<Path> train = CifarFiles.trainFiles(folder, kind);
            Path test = folder.resolve(kind.testFile());
            if (!Files.exists(test)) test = null;
            if (!train.isEmpty() || test != null) return new CifarFolder(kind, folder, train, test);
        }
        Path archive = dir.resolve(kind.archiveName());
        return Files.exists(archive) ? new CifarArchive(kind, archive) : null;
    }

    // ------------------------------------------------------------------ names

    private static List<String> idxClassNames(Path dir) {
        Path classes = dir.resolve(CLASSES_FILE);
        if (Files.exists(classes)) return ClassNames.read(classes);
        Path name = dir.toAbsolutePath().normalize().getFileName();
        boolean fashion = name != null && name.toString().toLowerCase(Locale.ROOT).contains("fashion");
        return fashion ? ClassNames.FASHION_MNIST : ClassNames.MNIST;
    }

    private static List<String> cifarClassNames(Path dir, Path folder, CifarFiles.Kind kind) {
        Path classes = dir.resolve(CLASSES_FILE);
        if (Files.exists(classes)) return ClassNames.read(classes);
        Path names = folder.resolve(kind.namesFile());
        return Files.exists(names) ? ClassNames.read(names) : kind.defaultClassNames();
    }

    private static String splitName(Split split) {
        return split == Split.TRAIN ? "training" : "test";
    }

    private static String expectedFiles(Layout layout, Split split) {
        return switch (layout) {
            case Idx i -> split == Split.TRAIN ? "train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]"
                                               : "t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]";
            case CifarFolder f -> split == Split.TRAIN ? f.kind.trainFilesText() : f.kind.testFile();
            case CifarArchive a -> a.kind.folder() + "/" + (split == Split.TRAIN ? a.kind.trainFilesText()
                                                                                 : a.kind.testFile()) + " in the archive";
        };
    }
}
