package io.bnn4j;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The package layering of docs/ARCHITECTURE.md: each package imports only the packages above it. */
class ArchitectureTest {

    /** Top to bottom; the root package io.bnn4j is above them all. */
    static final List<String> LAYERS = List.of("tensor", "parallel", "random", "kernel", "kernel.simd", "bayes", "nn", "data",
            "train", "io", "uncertainty", "uncertainty.plot", "prune", "job");

    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.bnn4j\\.([a-z]+(?:\\.[a-z]+)*)\\.[A-Z]");

    @Test
    void everyPackageImportsOnlyThePackagesAboveIt() throws IOException {
        Path src = TestFiles.repoFile("engine/src/main/java/io/bnn4j");
        List<String> breaches = new ArrayList<>();
        try (Stream<Path> files = Files.walk(src)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = src.relativize(f.getParent()).toString().replace('/', '.');
                if (pkg.isEmpty()) continue;   // the root package imports nothing of the engine
                int own = LAYERS.indexOf(pkg);
                assertTrue(own >= 0, f + ": package " + pkg + " is not in the architecture's table");
                // comments and string literals do not count (Kernels names the SIMD backend's class in a string)
                String text = Files.readString(f).replaceAll("\"(?:[^\"\\\\\n]|\\\\.)*\"", "\"\"")
                        .replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
                Matcher m = REFERENCE.matcher(text);
                while (m.find()) {
                    String used = m.group(1);
                    int at = LAYERS.indexOf(used);
                    if (used.equals(pkg)) continue;
                    if (at < 0 || at > own) breaches.add(src.relativize(f) + " uses io.bnn4j." + used);
                }
                if (!pkg.equals("kernel.simd") && text.contains("jdk.incubator.vector")) {
                    breaches.add(src.relativize(f) + " uses jdk.incubator.vector");
                }
            }
        }
        assertEquals(List.of(), breaches);
    }
}
