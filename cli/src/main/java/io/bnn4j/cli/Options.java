package io.bnn4j.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The options several subcommands share, as picocli mixins. */
public final class Options {

    private Options() {}

    /** {@code --threads N}: worker threads; default all cores. */
    public static final class Threads {
        @Option(names = "--threads", paramLabel = "N",
                description = "Worker threads (default: all cores).")
        Integer threads;

        /** The thread count, after {@link Checks#validate} has checked it. */
        public int get() {
            return threads != null ? threads : Runtime.getRuntime().availableProcessors();
        }
    }

    /** {@code --seed S}: the seed of every random draw. */
    public static final class Seed {
        @Option(names = "--seed", paramLabel = "S", defaultValue = "" + Defaults.SEED,
                description = "Random seed; a run is reproducible whatever the thread count (default: ${DEFAULT-VALUE}).")
        long seed;

        public long get() {
            return seed;
        }
    }

    /** {@code --json}: one JSON object per line on stdout. */
    public static final class JsonOutput {
        @Option(names = "--json", description = "Write results as JSON Lines on stdout (progress stays on stderr, as plain lines).")
        boolean json;

        public boolean get() {
            return json;
        }
    }

    /** {@code --data DIR}: a dataset directory; default the bundled sample. */
    public static final class Data {
        @Option(names = "--data", paramLabel = "DIR",
                description = "Dataset directory: IDX (MNIST, Fashion-MNIST; raw or .gz) or CIFAR binary batches under their "
                        + "standard names (default: the bundled sample " + DataLocator.SAMPLE + "); for regression, a CSV file with a "
                        + "header, or an IDX images file with its targets in FILE.csv beside it.")
        Path data;

        /** Regression data: a CSV file, or an IDX images file with its targets' CSV beside it; required. */
        public Path resolveFile(picocli.CommandLine.Model.CommandSpec spec) {
            if (data == null) throw Checks.usage(spec, "--data FILE.csv (or an IDX images file) is required for regression");
            Checks.inputFile(spec, "--data", data);
            return data;
        }

        /** The directory to use (given or found), validated. */
        public Path resolve(picocli.CommandLine.Model.CommandSpec spec) {
            if (data != null) {
                Checks.inputDirectory(spec, "--data", data);
                return data;
            }
            return DataLocator.bundledSample(spec);
        }
    }

    /** {@code --model FILE}, required. */
    public static final class Model {
        @Option(names = "--model", paramLabel = "FILE", required = true, description = "A model file written by 'bnn train' or 'bnn prune'.")
        Path model;

        public Path get() {
            return model;
        }
    }
}
