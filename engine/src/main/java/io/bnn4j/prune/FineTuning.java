package io.bnn4j.prune;

import io.bnn4j.data.Dataset;
import io.bnn4j.data.ImageTransform;
import io.bnn4j.nn.Model;
import io.bnn4j.train.DatasetSource;
import io.bnn4j.train.EpochListener;
import io.bnn4j.train.EpochStats;
import io.bnn4j.train.TrainConfig;
import io.bnn4j.train.Trainer;

import java.util.List;

/**
 * Fine-tuning a pruned model with the ordinary {@link Trainer} (same ELBO, optimizer and
 * schedules; Adam's moments start at zero). Masks hold through it: a removed weight has zero
 * gradients and zero moments, so it stays at μ = 0, σ = 0 — checked after training.
 */
public final class FineTuning {

    private FineTuning() {}

    /**
     * Trains {@code model} in place for {@code epochs} epochs on {@code train} (the trainer holds
     * out {@code config.validFraction()} of it, by {@code config.seed()}, as in `bnn train`).
     *
     * @param config   everything but the epoch count, which {@code epochs} replaces
     * @param listener gets every epoch's figures; may be null
     * @throws IllegalStateException if a removed weight came back (a bug, never expected)
     */
    public static List<EpochStats> fineTune(Model model, Dataset train, ImageTransform transform, int epochs, TrainConfig config,
                                            EpochListener listener) {
        if (epochs < 0) throw new IllegalArgumentException("fine-tune epochs must be >= 0, got " + epochs);
        if (epochs == 0) return List.of();
        try (Trainer trainer = new Trainer(model, config.withEpochs(epochs), new DatasetSource(train, model.inputShape(), transform))) {
            List<EpochStats> stats = trainer.fit(listener, null);
            long bad = Masks.violations(model);
            if (bad != 0) throw new IllegalStateException(bad + " removed weights are no longer zero after fine-tuning");
            Masks.canonicalize(model);
            return stats;
        }
    }
}
