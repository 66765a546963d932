package io.bnn4j.nn;

import io.bnn4j.Labelled;

import java.util.Locale;

import io.bnn4j.kernel.UnaryOp;

/** The nonlinearity between layers. */
public enum Activation implements Labelled {
    SOFTPLUS(UnaryOp.SOFTPLUS), RELU(UnaryOp.RELU);

    private final UnaryOp op;

    Activation(UnaryOp op) {
        this.op = op;
    }

    public UnaryOp op() {
        return op;
    }

    /** f(a) ≤ f(b) whenever a ≤ b (softplus, ReLU): then max-pooling commutes with f, and the model pools first. */
    boolean nonDecreasing() {
        return true;
    }

    @Override
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The constant spelled {@code label} ("relu"); IllegalArgumentException naming the choices otherwise. */
    public static Activation of(String label) {
        return Labelled.of(Activation.class, label);
    }
}
