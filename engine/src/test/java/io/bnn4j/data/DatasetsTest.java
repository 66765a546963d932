package io.bnn4j.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static io.bnn4j.data.Fixtures.gzip;
import static io.bnn4j.data.Fixtures.idxImages;
import static io.bnn4j.data.Fixtures.idxLabels;
import static io.bnn4j.data.Fixtures.write;
import static io.bnn4j.data.IdxFilesTest.rejects;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetsTest {

    @TempDir
    Path tmp;

    private static void idxSplit(Path dir, String prefix, int n, boolean gz, long seed) {
        byte[] images = idxImages(n, 28, 28, Fixtures.randomBytes(seed, n * 784));
        byte[] labels = idxLabels(Fixtures.randomLabels(seed + 1, n, 10));
        String suffix = gz ? ".gz" : "";
        write(dir.resolve(prefix + "-images-idx3-ubyte" + suffix), gz ? gzip(images) : images);
        write(dir.resolve(prefix + "-labels-idx1-ubyte" + suffix), gz ? gzip(labels) : labels);
    }

    @Test
    void loadsBothIdxSplitsAndNamesFashionByTheDirectoryName() {
        Path dir = tmp.resolve("my-fashion-data");
        idxSplit(dir, "train", 30, true, 1);
        idxSplit(dir, "t10k", 8, false, 2);
        Dataset train = Datasets.load(dir, Split.TRAIN);
        assertEquals(30, train.size());
        assertEquals(ClassNames.FASHION_MNIST, train.classNames());
        assertEquals(8, Datasets.load(dir, Split.TEST).size());
        assertTrue(Datasets.hasSplit(dir, Split.TEST));
        assertEquals(DataFormat.IDX, Datasets.format(dir));

        Path digits = tmp.resolve("mnist");
        idxSplit(digits, "train", 5, false, 3);
        assertEquals(ClassNames.MNIST, Datasets.load(digits, Split.TRAIN).classNames());
        // classes.txt wins
        write(digits.resolve("classes.txt"), "zero\none\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\n"
                .getBytes(StandardCharsets.UTF_8));
        assertEquals("seven", Datasets.load(digits, Split.TRAIN).classNames().get(7));
    }

    @Test
    void aMissingTestSplitIsAnAnswerNotACrash() {
        Path dir = tmp.resolve("d");
        idxSplit(dir, "train", 4, false, 1);
        assertFalse(Datasets.hasSplit(dir, Split.TEST));
        assertTrue(Datasets.loadIfPresent(dir, Split.TEST).isEmpty());
        assertTrue(Datasets.loadIfPresent(dir, Split.TRAIN).isPresent());
        rejects(dir, "has no test split (expected t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz])",
                () -> Datasets.load(dir, Split.TEST));
        Path testOnly = tmp.resolve("t");
        idxSplit(testOnly, "t10k", 4, false, 1);
        rejects(testOnly, "has no training split", () -> Datasets.load(testOnly, Split.TRAIN));
        assertEquals(4, Datasets.load(testOnly, Split.TEST).size());
    }

    @Test
    void rawFilesArepreferredOverGzip() {
        Path dir = tmp.resolve("both");
        idxSplit(dir, "train", 6, false, 1);
        idxSplit(dir, "train", 9, true, 2);
        assertEquals(6, Datasets.load(dir, Split.TRAIN).size());
    }

    @Test
    void directoryProblemsAreNamed() {
        Path missing = tmp.resolve("missing");
        rejects(missing, "does not exist", () -> Datasets.load(missing, Split.TRAIN));
        Path file = write(tmp.resolve("afile"), new byte[] {1});
        rejects(file, "is a file, expected a directory holding a dataset", () -> Datasets.load(file, Split.TRAIN));
        Path empty = tmp.resolve("empty");
        write(empty.resolve("notes.txt"), new byte[] {1});
        rejects(empty, "holds no dataset: expected train-images-idx3-ubyte[.gz]", () -> Datasets.load(empty, Split.TRAIN));
        rejects(empty, "holds no dataset", () -> Datasets.hasSplit(empty, Split.TEST));

        Path lonely = tmp.resolve("lonely");
        write(lonely.resolve("train-images-idx3-ubyte.gz"), gzip(idxImages(1, 1, 1, new byte[1])));
        rejects(lonely, "has train-images-idx3-ubyte.gz but no train-labels-idx1-ubyte[.gz]",
                () -> Datasets.load(lonely, Split.TRAIN));

        Path emptyFile = tmp.resolve("emptyfile");
        idxSplit(emptyFile, "train", 2, false, 1);
        Path images = write(emptyFile.resolve("train-images-idx3-ubyte"), new byte[0]);
        rejects(images, "is empty", () -> Datasets.load(emptyFile, Split.TRAIN));

        Path mixed = tmp.resolve("mixed");
        idxSplit(mixed, "train", 2, false, 1);
        write(mixed.resolve("data_batch_1.bin"), new byte[3073]);
        rejects(mixed, "holds both IDX and CIFAR-10 files; use a directory with one dataset",
                () -> Datasets.load(mixed, Split.TRAIN));
    }

    @Test
    void theSameContentGivesTheSameDigestWhateverTheFiles() {
        Path raw = tmp.resolve("raw"), gz = tmp.resolve("gz");
        idxSplit(raw, "train", 7, false, 5);
        idxSplit(gz, "train", 7, true, 5);
        Dataset a = Datasets.load(raw, Split.TRAIN), b = Datasets.load(gz, Split.TRAIN);
        assertEquals(a.digest(), b.digest());
        assertArrayEquals(a.labels(), b.labels());
    }
}
