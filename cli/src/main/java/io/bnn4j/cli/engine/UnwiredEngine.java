package io.bnn4j.cli.engine;

import io.bnn4j.cli.Progress;

import java.util.function.Consumer;

/** The bridge before the engine is wired: every method says so, and computes nothing. */
final class UnwiredEngine implements EngineBridge {

    @Override
    public TrainSummary train(TrainRequest request, Progress progress, Consumer<EpochReport> onEpoch) {
        throw new EngineNotAvailableException("train", "the Bayesian trainer");
    }

    @Override
    public void predict(PredictRequest request, Progress progress, Consumer<Prediction> out) {
        throw new EngineNotAvailableException("predict", "Monte-Carlo prediction");
    }

    @Override
    public EvaluationReport evaluate(EvaluateRequest request, Progress progress) {
        throw new EngineNotAvailableException("evaluate", "evaluation");
    }

    @Override
    public PruneReport prune(PruneRequest request, Progress progress) {
        throw new EngineNotAvailableException("prune", "pruning");
    }

    @Override
    public BenchReport bench(BenchRequest request, Progress progress) {
        throw new EngineNotAvailableException("bench", "the benchmark");
    }
}
