package io.bnn4j.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/** The class names of the known datasets, and names files (one name a line). */
public final class ClassNames {

    /** Fashion-MNIST (Zalando Research), labels 0..9. */
    public static final List<String> FASHION_MNIST = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** MNIST: the digits themselves. */
    public static final List<String> MNIST = numbered(10);

    /** CIFAR-10, labels 0..9 (the order of the official batches.meta.txt). */
    public static final List<String> CIFAR10 = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
            "horse", "ship", "truck");

    /** The largest names file read, in bytes. */
    static final int MAX_NAMES_BYTES = 1 << 20;

    private ClassNames() {}

    /** "0", "1", …, "n − 1": for labels without a names file (CIFAR-100 without fine_label_names.txt). */
    public static List<String> numbered(int n) {
        return IntStream.range(0, n).mapToObj(Integer::toString).toList();
    }

    /**
     * A names file: one class name a line, UTF-8, surrounding blanks trimmed, empty lines
     * skipped (the official CIFAR files end with blank lines).
     */
    public static List<String> read(Path file) {
        long size = DataFiles.requireFile(file);
        if (size > MAX_NAMES_BYTES) {
            throw DataFiles.error(file, "is " + size + " bytes, too large for a class names file");
        }
        try {
            return parse(java.nio.file.Files.readAllBytes(file));
        } catch (IOException e) {
            throw DataFiles.ioError(file, e);
        }
    }

    static List<String> parse(byte[] text) {
        List<String> names = new ArrayList<>();
        for (String line : new String(text, StandardCharsets.UTF_8).split("\r?\n|\r")) {
            String name = line.strip();
            if (!name.isEmpty()) names.add(name);
        }
        return List.copyOf(names);
    }
}
