package io.bnn4j;

/**
 * Bad input from the user: a malformed or truncated file, a wrong image size, a nonsense
 * parameter. The message is one line meant for the user (it names the file and the problem);
 * the CLI prints it alone and exits with code 2.
 */
public class BnnInputException extends RuntimeException {

    public BnnInputException(String message) {
        super(message);
    }

    public BnnInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
