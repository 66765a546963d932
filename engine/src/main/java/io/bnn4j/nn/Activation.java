package io.bnn4j.nn;

import io.bnn4j.kernel.UnaryOp;

/** The nonlinearity between layers. */
public enum Activation {
    SOFTPLUS(UnaryOp.SOFTPLUS), RELU(UnaryOp.RELU);

    private final UnaryOp op;

    Activation(UnaryOp op) {
        this.op = op;
    }

    public UnaryOp op() {
        return op;
    }
}
