package dev.laml.recordings.cli.internal;

/**
 * Input the command cannot use (a missing setting, an unreadable token file, a value out of range): exit code 2, like
 * picocli's usage errors and the client's own {@link IllegalArgumentException}s, which this extends.
 *
 * <p>Immutable; the message is shown to the user as is and never contains a credential.
 */
final class InvalidInputException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    InvalidInputException(String message) {
        super(message);
    }

    InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
