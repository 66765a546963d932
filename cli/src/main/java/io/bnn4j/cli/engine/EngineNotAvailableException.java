package io.bnn4j.cli.engine;

/** A command whose engine part is not wired into this build: a runtime failure (exit 1), one line. */
public final class EngineNotAvailableException extends RuntimeException {

    public EngineNotAvailableException(String command, String missing) {
        super("not available yet in this build: " + missing + " is not wired to 'bnn " + command + "'");
    }
}
