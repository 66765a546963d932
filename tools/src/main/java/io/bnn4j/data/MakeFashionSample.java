package io.bnn4j.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes testdata/fashion-mnist: the first N training and M test images of Fashion-MNIST as
 * gzip IDX files under their standard names. The tool that made the bundled sample (see
 * testdata/README.md for the exact command); {@code BundledSampleTest} checks that the
 * bundled files still equal its output when the Debian package is installed.
 *
 * <p>Usage: {@code MakeFashionSample SOURCE_DIR TARGET_DIR N_TRAIN N_TEST}
 */
public final class MakeFashionSample {

    private MakeFashionSample() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: MakeFashionSample SOURCE_DIR TARGET_DIR N_TRAIN N_TEST");
            System.exit(2);
        }
        Path source = Path.of(args[0]), target = Path.of(args[1]);
        int nTrain = Integer.parseInt(args[2]), nTest = Integer.parseInt(args[3]);
        Files.createDirectories(target);
        write(Datasets.load(source, Split.TRAIN).limit(nTrain), target, "train");
        write(Datasets.load(source, Split.TEST).limit(nTest), target, "t10k");
    }

    private static void write(Dataset data, Path target, String prefix) {
        IdxFiles.write(data, target.resolve(prefix + "-images-idx3-ubyte.gz"), target.resolve(prefix + "-labels-idx1-ubyte.gz"));
        System.out.println(prefix + ": " + data.size() + " images, digest " + data.digest() + ", class counts "
                + java.util.Arrays.toString(data.classCounts()));
    }
}
