package io.bnn4j.data;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The Fashion-MNIST sample in testdata/ (see testdata/README.md). */
class BundledSampleTest {

    static final Path DEBIAN = Path.of("/usr/share/datasets/fashion-mnist");

    static Path sample() {
        return io.bnn4j.TestFiles.fashionSample();
    }

    @Test
    void theSampleLoadsWithBothSplitsAndBalancedClasses() {
        Path dir = sample();
        Dataset train = Datasets.load(dir, Split.TRAIN);
        Dataset test = Datasets.load(dir, Split.TEST);
        assertEquals(2000, train.size());
        assertEquals(500, test.size());
        for (Dataset d : new Dataset[] {train, test}) {
            assertEquals(1, d.channels());
            assertEquals(28, d.height());
            assertEquals(28, d.width());
            assertEquals(ClassNames.FASHION_MNIST, d.classNames());
            for (int i = 0; i < d.size(); i++) assertTrue(d.label(i) >= 0 && d.label(i) <= 9);
        }
        // Roughly balanced: every class has at least 7.5% of the images (uniform would be 10%).
        for (int c : train.classCounts()) assertTrue(c >= 150, "train class count " + c);
        for (int c : test.classCounts()) assertTrue(c >= 35, "test class count " + c);
    }

    @Test
    void theSampleIsTheStartOfDebiansFashionMnist() {
        assumeTrue(Files.isDirectory(DEBIAN), "dataset-fashion-mnist is not installed");
        Path dir = sample();
        assertEquals(Datasets.load(DEBIAN, Split.TRAIN).limit(2000).digest(), Datasets.load(dir, Split.TRAIN).digest());
        assertEquals(Datasets.load(DEBIAN, Split.TEST).limit(500).digest(), Datasets.load(dir, Split.TEST).digest());
    }
}
