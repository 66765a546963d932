package io.bnn4j.cli;

import io.bnn4j.io.Metadata;
import io.bnn4j.io.ModelFile;
import io.bnn4j.io.ModelKeys;
import io.bnn4j.io.ModelSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code bnn info}: what a model file holds, after validating it (magic, version, sizes, checksum). */
@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        sortOptions = false,
        description = {"Describe a model file.",
                "Architecture, estimator, activation, prior, input, classes, parameter counts, sparsity, provenance and every",
                "tensor. The whole file is validated first (magic, version, sizes, checksum)."})
public final class InfoCommand extends BaseCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", arity = "1", description = "The model file.")
    Path file;

    @Mixin
    Options.JsonOutput json;

    /** The keys shown on their own lines; the others are listed under "other". */
    private static final Set<String> SHOWN = Set.of(ModelKeys.ARCH, ModelKeys.ESTIMATOR, ModelKeys.ACTIVATION,
            ModelKeys.PRIOR_KIND, ModelKeys.PRIOR_SIGMA, ModelKeys.PRIOR_PI, ModelKeys.PRIOR_SIGMA1, ModelKeys.PRIOR_SIGMA2,
            ModelKeys.INPUT_CHANNELS, ModelKeys.INPUT_HEIGHT, ModelKeys.INPUT_WIDTH, ModelKeys.INPUT_TRANSFORM,
            ModelKeys.CLASSES, ModelKeys.SEED, ModelKeys.EPOCHS, ModelKeys.DATA_DIGEST, ModelKeys.BNN4J_VERSION,
            ModelKeys.CREATED);

    @Override
    public Integer call() {
        // Every problem with the file is a BnnInputException: one line, exit 2.
        ModelSummary s = ModelFile.inspect(file);
        if (json.get()) out().println(json(s)); else text(s).forEach(out()::println);
        out().flush();
        return 0;
    }

    static List<String> text(ModelSummary s) {
        Metadata m = s.metadata();
        List<String> lines = new ArrayList<>();
        lines.add(fmt("file          %s: %s bytes, format %d, checksum OK", s.file(), count(s.fileBytes()), s.formatVersion()));
        lines.add("architecture  " + str(m, ModelKeys.ARCH));
        lines.add("estimator     " + str(m, ModelKeys.ESTIMATOR));
        lines.add("activation    " + str(m, ModelKeys.ACTIVATION));
        lines.add("prior         " + prior(m));
        lines.add("input         " + input(m));
        List<String> classes = m.strings(ModelKeys.CLASSES).orElse(null);
        lines.add("classes       " + (classes == null ? "(not recorded)" : classes.size() + ": " + String.join(", ", classes)));
        long means = s.means();
        lines.add("parameters    " + count(means) + " means" + (s.learnedValues() > means
                ? ", " + count(s.learnedValues()) + " learned values (mu and rho)" : ""));
        lines.add("sparsity      " + (means == 0 ? "-" : fmt("%.2f%% of the means are zero (%s of %s)",
                100.0 * s.zeroMeans() / means, count(s.zeroMeans()), count(means))));
        lines.add("provenance    " + provenance(m));
        List<String> other = m.asMap().entrySet().stream().filter(e -> !SHOWN.contains(e.getKey()))
                .map(e -> e.getKey() + "=" + value(e.getValue())).toList();
        if (!other.isEmpty()) lines.add("other         " + String.join(", ", other));
        lines.add("tensors       " + s.tensors().size());
        Table t = new Table("NAME", "DTYPE", "SHAPE", "ENCODING", "BYTES", "ZEROS");
        for (ModelSummary.TensorInfo ti : s.tensors()) {
            t.row(ti.name(), ti.dtype().label(), shape(ti.shape()), ti.encoding().label(), count(ti.storedBytes()),
                    ti.elements() == 0 ? "-" : fmt("%.1f%%", 100 * ti.sparsity()));
        }
        if (t.size() > 0) t.lines().forEach(l -> lines.add("  " + l));
        return lines;
    }

    private static String str(Metadata m, String key) {
        Object v = m.asMap().get(key);
        return v == null ? "(not recorded)" : value(v);
    }

    private static String value(Object v) {
        return switch (v) {
            case List<?> l -> "[" + l.stream().map(Object::toString).collect(Collectors.joining(", ")) + "]";
            default -> v.toString();
        };
    }

    private static String prior(Metadata m) {
        String kind = m.string(ModelKeys.PRIOR_KIND).orElse(null);
        if ("mixture".equals(kind)) {
            return "scale mixture, pi " + str(m, ModelKeys.PRIOR_PI) + ", sigma1 " + str(m, ModelKeys.PRIOR_SIGMA1)
                    + ", sigma2 " + str(m, ModelKeys.PRIOR_SIGMA2);
        }
        if (kind == null && !m.has(ModelKeys.PRIOR_SIGMA)) return "(not recorded)";
        return (kind == null ? "gaussian" : kind) + ", sigma " + str(m, ModelKeys.PRIOR_SIGMA);
    }

    private static String input(Metadata m) {
        if (m.has(ModelKeys.FEATURES)) {
            List<String> f = m.strings(ModelKeys.FEATURES).orElse(List.of());
            return f.size() + " features (" + String.join(", ", f) + ") -> " + String.join(", ", m.strings(ModelKeys.TARGETS).orElse(List.of()))
                    + ", standardised";
        }
        if (!m.has(ModelKeys.INPUT_CHANNELS) && !m.has(ModelKeys.INPUT_HEIGHT)) return "(not recorded)";
        String shape = str(m, ModelKeys.INPUT_CHANNELS) + "x" + str(m, ModelKeys.INPUT_HEIGHT) + "x" + str(m, ModelKeys.INPUT_WIDTH);
        return shape + m.string(ModelKeys.INPUT_TRANSFORM).map(t -> " (" + t + ")").orElse("");
    }

    private static String provenance(Metadata m) {
        List<String> parts = new ArrayList<>();
        m.int64(ModelKeys.SEED).ifPresent(v -> parts.add("seed " + v));
        m.int64(ModelKeys.EPOCHS).ifPresent(v -> parts.add(v + " epochs"));
        m.string(ModelKeys.DATA_DIGEST).ifPresent(v -> parts.add("data " + v));
        m.string(ModelKeys.BNN4J_VERSION).ifPresent(v -> parts.add("bnn4j " + v));
        m.string(ModelKeys.CREATED).ifPresent(v -> parts.add("created " + v));
        return parts.isEmpty() ? "(not recorded)" : String.join(", ", parts);
    }

    private static String shape(int[] shape) {
        return Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining("x"));
    }

    static String json(ModelSummary s) {
        Json meta = Json.object();
        for (Map.Entry<String, Object> e : s.metadata().asMap().entrySet()) {
            switch (e.getValue()) {
                case String v -> meta.put(e.getKey(), v);
                case Long v -> meta.put(e.getKey(), (long) v);
                case Double v -> meta.put(e.getKey(), (double) v);
                case List<?> v -> meta.putStrings(e.getKey(), v.stream().map(Object::toString).toList());
                default -> meta.put(e.getKey(), e.getValue().toString());
            }
        }
        List<Json> tensors = new ArrayList<>();
        for (ModelSummary.TensorInfo t : s.tensors()) {
            tensors.add(Json.object().put("name", t.name()).put("dtype", t.dtype().label())
                    .put("shape", Arrays.stream(t.shape()).asLongStream().toArray()).put("encoding", t.encoding().label())
                    .put("bytes", t.storedBytes()).put("elements", t.elements()).put("zeros", t.zeros()));
        }
        long means = s.means();
        return Json.object().put("file", s.file().toString()).put("bytes", s.fileBytes()).put("format", s.formatVersion())
                .put("metadata", meta).put("means", means).put("learned_values", s.learnedValues())
                .put("zero_means", s.zeroMeans()).put("sparsity", means == 0 ? Double.NaN : (double) s.zeroMeans() / means)
                .putObjects("tensors", tensors).toString();
    }
}
