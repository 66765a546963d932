package io.bnn4j.train;

import io.bnn4j.nn.Model;

import java.io.IOException;

/**
 * Called after every epoch with the model (parameters, masks and optimizer moments, see
 * {@code Model.optimizerFirstMoment()}) and the trainer's state: together they resume the run
 * exactly. Implementations write files atomically; the trainer only calls.
 */
@FunctionalInterface
public interface CheckpointHook {
    void afterEpoch(Model model, TrainerState state, EpochStats stats) throws IOException;
}
