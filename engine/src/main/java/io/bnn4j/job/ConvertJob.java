package io.bnn4j.job;

import io.bnn4j.BnnInputException;
import io.bnn4j.bayes.Prior;
import io.bnn4j.io.ModelStore;
import io.bnn4j.nn.Estimator;
import io.bnn4j.nn.Model;
import io.bnn4j.nn.ModelSpec;
import io.bnn4j.train.Moped;

import java.util.Objects;
import java.nio.file.Path;

/**
 * Turns a trained frequentist model file (estimator none or dropout) into a Bayesian one by MOPED:
 * every weight and bias gets the posterior N(w, (δ·|w|)²). Class names, input transform and
 * provenance carry over.
 *
 * @param estimator  the Bayesian model's estimator: lrt, bbb or flipout
 * @param delta      σ = δ·|w|, δ in (0, 1]
 * @param priorSigma σ_p of the Gaussian prior N(0, σ_p²) recorded in the model
 */
public record ConvertJob(Path model, Estimator estimator, double delta, double priorSigma, Path out) {

    public ConvertJob {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(out, "out");
        if (!estimator.bayesian()) {
            throw new IllegalArgumentException("the estimator must be Bayesian: lrt, bbb or flipout (got " + estimator.label() + ")");
        }
        if (!(delta > 0 && delta <= 1)) throw new IllegalArgumentException("delta must be in (0, 1] (got " + delta + ")");
        if (!(priorSigma > 0) || !Double.isFinite(priorSigma)) throw new IllegalArgumentException("prior sigma must be > 0, got " + priorSigma);
    }

    public void run() {
        try (ModelStore.Loaded loaded = ModelStore.loadClassifier(model)) {
            Model src = loaded.model();
            if (src.bayesian()) {
                throw new BnnInputException(model + ": is already Bayesian (" + src.estimator().label()
                        + "); convert takes a frequentist model (--layer none or dropout)");
            }
            ModelSpec bayes = src.spec().withEstimator(estimator).withPrior(Prior.gaussian(priorSigma));
            try (Model dst = Model.allocate(bayes)) {
                Moped.initialize(src, dst, delta);
                Jobs.save(dst, loaded.info(), null, out);
            }
        }
    }
}
