package io.bnn4j.cli;

import io.bnn4j.cli.engine.EngineBridge;

import java.util.function.Consumer;

/** A test double of the engine: each method fails unless a test overrides it. */
abstract class StubEngine implements EngineBridge {

    @Override
    public TrainSummary train(TrainRequest request, Progress progress, Consumer<EpochReport> onEpoch) {
        throw new AssertionError("train not expected");
    }

    @Override
    public void predict(PredictRequest request, Progress progress, Consumer<Prediction> out) {
        throw new AssertionError("predict not expected");
    }

    @Override
    public EvaluationReport evaluate(EvaluateRequest request, Progress progress) {
        throw new AssertionError("evaluate not expected");
    }

    @Override
    public PruneReport prune(PruneRequest request, Progress progress) {
        throw new AssertionError("prune not expected");
    }

    @Override
    public BenchReport bench(BenchRequest request, Progress progress) {
        throw new AssertionError("bench not expected");
    }
}
