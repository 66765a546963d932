package io.bnn4j.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the bundled sample dataset ({@value #SAMPLE}) used when {@code --data} is not given:
 * first under the working directory, then under every folder above the jar (or class
 * folder) this code runs from, so that {@code ./bnn} works from anywhere in the clone and an
 * installed jar next to a {@code testdata/} folder works too.
 */
public final class DataLocator {

    /** The sample's path relative to the repository root. */
    public static final String SAMPLE = "testdata/fashion-mnist";

    private DataLocator() {}

    /** The sample directory, or a ParameterException naming where it looked. */
    public static Path bundledSample(CommandSpec spec) {
        List<Path> tried = candidates(Path.of("").toAbsolutePath(), codeLocation());
        for (Path p : tried) if (Files.isDirectory(p)) return p;
        throw new ParameterException(spec.commandLine(), "no --data given and the bundled sample " + SAMPLE
                + " was not found (looked in " + String.join(", ", tried.stream().map(Path::toString).toList()) + ")");
    }

    /** The candidate folders, in order: {@code cwd/SAMPLE}, then {@code a/SAMPLE} for each ancestor a of {@code code}. */
    static List<Path> candidates(Path cwd, Path code) {
        Set<Path> out = new LinkedHashSet<>();
        out.add(cwd.resolve(SAMPLE));
        for (Path a = code; a != null; a = a.getParent()) out.add(a.resolve(SAMPLE));
        return new ArrayList<>(out);
    }

    /** The jar or class folder this class was loaded from, or null when unknown. */
    static Path codeLocation() {
        try {
            var src = DataLocator.class.getProtectionDomain().getCodeSource();
            if (src == null) return null;
            Path p = Path.of(src.getLocation().toURI()).toAbsolutePath();
            return Files.isRegularFile(p) ? p.getParent() : p;   // a jar: start from its folder
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return null;
        }
    }
}
