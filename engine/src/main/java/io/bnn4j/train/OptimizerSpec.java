package io.bnn4j.train;

/** The optimizer and its hyper-parameters (the learning rate is in {@link TrainConfig}). */
public sealed interface OptimizerSpec permits OptimizerSpec.Adam, OptimizerSpec.Sgd {

    /** Adam (Kingma & Ba) with bias correction; defaults β1 0.9, β2 0.999, ε 1e-8. */
    record Adam(double beta1, double beta2, double eps) implements OptimizerSpec {
        public Adam {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0)) {
                throw new IllegalArgumentException("Adam needs 0 <= beta1, beta2 < 1 and eps > 0, got " + beta1 + ", " + beta2 + ", " + eps);
            }
        }

        public static Adam defaults() {
            return new Adam(0.9, 0.999, 1e-8);
        }
    }

    /** SGD with (heavy-ball) momentum: v = momentum·v + g; p −= lr·v. */
    record Sgd(double momentum) implements OptimizerSpec {
        public Sgd {
            if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
    }
}
