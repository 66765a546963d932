package io.bnn4j.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Up-front validation of flag values: each failure is a {@link ParameterException} whose
 * message names the flag, the rule and the value given, so the user sees one line and exit 2
 * before any work starts (and before any file is created).
 */
public final class Checks {

    private Checks() {}

    public static ParameterException bad(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    public static void atLeast(CommandSpec spec, String flag, long value, long min) {
        if (value < min) throw bad(spec, flag + " must be at least " + min + " (got " + value + ")");
    }

    public static void atLeast(CommandSpec spec, String flag, Integer value, long min) {
        if (value != null) atLeast(spec, flag, (long) value, min);
    }

    /** A finite number &gt; 0 (rejects NaN and infinities). */
    public static void positive(CommandSpec spec, String flag, double value) {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw bad(spec, flag + " must be a finite number > 0 (got " + show(value) + ")");
        }
    }

    /** A fraction in [0, 1). */
    public static void fraction(CommandSpec spec, String flag, double value) {
        if (!(value >= 0 && value < 1)) {
            throw bad(spec, flag + " must be in [0, 1) (got " + show(value) + ")");
        }
    }

    private static String show(double v) {
        return v == Math.rint(v) && Double.isFinite(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** An existing regular file (a model, an image, a checkpoint to resume). */
    public static void inputFile(CommandSpec spec, String flag, Path file) {
        String who = flag.isEmpty() ? file.toString() : flag + " " + file;
        if (Files.isDirectory(file)) throw bad(spec, who + ": is a directory, expected a file");
        if (!Files.exists(file)) throw bad(spec, who + ": no such file");
        if (!Files.isRegularFile(file)) throw bad(spec, who + ": not a regular file");
        if (!Files.isReadable(file)) throw bad(spec, who + ": permission denied");
    }

    /** An existing directory. */
    public static void inputDirectory(CommandSpec spec, String flag, Path dir) {
        if (!Files.exists(dir)) throw bad(spec, flag + " " + dir + ": no such directory");
        if (!Files.isDirectory(dir)) throw bad(spec, flag + " " + dir + ": not a directory");
    }

    /** A file we will write: its directory exists and it is not itself a directory. */
    public static void outputFile(CommandSpec spec, String flag, Path file) {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw bad(spec, flag + " " + file + ": directory " + dir + " does not exist");
        }
        if (Files.isDirectory(abs)) throw bad(spec, flag + " " + file + ": is a directory, expected a file name");
        if (Files.exists(abs) && !Files.isRegularFile(abs)) throw bad(spec, flag + " " + file + ": exists and is not a regular file");
    }

    /** An output file that must end in {@code .suffix} (e.g. the PNG of a plot). */
    public static void suffix(CommandSpec spec, String flag, Path file, String suffix) {
        if (!file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(suffix)) {
            throw bad(spec, flag + " " + file + ": the file name must end in " + suffix);
        }
    }

    /** Two paths that must differ (e.g. --out and --checkpoint). */
    public static void distinct(CommandSpec spec, String flagA, Path a, String flagB, Path b) {
        if (a != null && b != null && a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            throw bad(spec, flagA + " and " + flagB + " name the same file " + a);
        }
    }

    /** A plain rule failure with its own message. */
    public static ParameterException usage(CommandSpec spec, String message) {
        return bad(spec, message);
    }

    /** Whether the user gave {@code flag} on the command line (rather than its default applying). */
    public static boolean given(CommandSpec spec, String flag) {
        var parsed = spec.commandLine().getParseResult();
        return parsed != null && parsed.hasMatchedOption(flag);
    }

    /** A usage error for the first of {@code flags} given: it does not apply to {@code what}. */
    public static void notFor(CommandSpec spec, String what, String... flags) {
        for (String f : flags) if (given(spec, f)) throw usage(spec, f + " does not apply to " + what);
    }
}
