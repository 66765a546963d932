package io.bnn4j.cli;

import io.bnn4j.BnnInputException;
import io.bnn4j.bayes.Prior;
import io.bnn4j.cli.engine.StandardEngine;
import io.bnn4j.io.ModelStore;
import io.bnn4j.nn.Estimator;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.train.Moped;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
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

    @Option(names = "--layer", paramLabel = "L", defaultValue = "lrt", converter = Choices.LayerConverter.class,
            description = "Estimator of the Bayesian model: lrt, bbb or flipout (default: ${DEFAULT-VALUE}).")
    Choices.Layer layer;

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
        Estimator target = StandardEngine.estimator(layer);
        if (!target.bayesian()) throw Checks.bad(spec, "--layer must be a Bayesian estimator: lrt, bbb or flipout (got " + layer + ")");
        try (ModelStore.Loaded loaded = ModelStore.load(model.get())) {
            Model src = loaded.model();
            if (src.bayesian()) {
                throw new BnnInputException(model.get() + ": is already Bayesian (" + src.estimator().name().toLowerCase(java.util.Locale.ROOT)
                        + "); convert takes a frequentist model (--layer none or dropout)");
            }
            ModelSpec bayes = src.spec().withEstimator(target).withPrior(Prior.gaussian(priorSigma));
            try (Model dst = Model.allocate(bayes)) {
                Moped.initialize(src, dst, delta);
                ModelStore.save(dst, loaded.info(), null, out);
            } catch (IOException e) {
                throw new UncheckedIOException(out + ": cannot be written (" + e.getMessage() + ")", e);
            }
        }
        out().println("converted " + model.get() + " to " + out + " (" + layer + ", sigma = " + delta + " * |w|)");
        out().flush();
        return 0;
    }
}
