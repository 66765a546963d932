package io.bnn4j.cli;

import io.bnn4j.job.ConvertJob;
import io.bnn4j.nn.Estimator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code bnn convert}: a trained frequentist model file becomes a Bayesian one by MOPED (μ = w, σ = δ·|w|). */
@Command(name = "convert", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        sortOptions = false,
        description = {"Turn a trained frequentist model (--layer none or dropout) into a Bayesian one by MOPED:",
                "every weight and bias gets the posterior N(w, (DELTA*|w|)^2). The class names, input transform and",
                "provenance carry over; predict, evaluate and prune read the result like any model."})
public final class ConvertCommand extends BaseCommand implements Callable<Integer> {

    @Mixin
    Options.Model model;

    @Option(names = "--layer", paramLabel = "L", defaultValue = "lrt", converter = Choices.EstimatorConverter.class,
            description = "Estimator of the Bayesian model: lrt, bbb or flipout (default: ${DEFAULT-VALUE}).")
    Estimator layer;

    @Option(names = "--delta", paramLabel = "D", defaultValue = "" + Defaults.MOPED_DELTA,
            description = "sigma = DELTA * |w|, DELTA in (0, 1] (default: ${DEFAULT-VALUE}).")
    double delta;

    @Option(names = "--prior-sigma", paramLabel = "X", defaultValue = "" + Defaults.PRIOR_SIGMA,
            description = "Standard deviation of the Gaussian prior N(0, X^2) recorded in the model (default: ${DEFAULT-VALUE}).")
    double priorSigma;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "The Bayesian model file to write.")
    Path out;

    @Override
    public Integer call() {
        Checks.inputFile(spec, "--model", model.get());
        Checks.positive(spec, "--prior-sigma", priorSigma);
        if (!(delta > 0 && delta <= 1)) throw Checks.bad(spec, "--delta must be in (0, 1] (got " + delta + ")");
        Checks.outputFile(spec, "--out", out);
        Checks.distinct(spec, "--model", model.get(), "--out", out);
        if (!layer.bayesian()) throw Checks.bad(spec, "--layer must be a Bayesian estimator: lrt, bbb or flipout (got " + layer.label() + ")");
        new ConvertJob(model.get(), layer, delta, priorSigma, out).run();
        out().println("converted " + model.get() + " to " + out + " (" + layer.label() + ", sigma = " + delta + " * |w|)");
        out().flush();
        return 0;
    }
}
