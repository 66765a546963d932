package io.bnn4j;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the repository that tests read, found from the module's or the repository's directory. */
public final class TestFiles {

    private TestFiles() {}

    /** {@code name} relative to the repository root (the directory above that holds engine/). */
    public static Path repoFile(String name) {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve(name)) && Files.isDirectory(p.resolve("engine"))) return p.resolve(name);
        }
        throw new AssertionError(name + " not found above " + Path.of("").toAbsolutePath());
    }

    /** The bundled Fashion-MNIST sample, testdata/fashion-mnist. */
    public static Path fashionSample() {
        return repoFile("testdata/fashion-mnist");
    }
}
