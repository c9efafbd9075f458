package dev.laml.recordings.webhooks;

/**
 * A webhook's fields (or its form body) cannot be read as what they claim to be: a required field
 * is missing, a single-valued field is repeated, a sid is not a UUID, a number or date does not
 * parse, or the body is not valid {@code application/x-www-form-urlencoded} UTF-8.
 *
 * <p>An {@link IllegalArgumentException}, so code that treats bad input generically still works;
 * a receiver answers it with 400. The message names the field and the reason in plain words and
 * shows the offending value quoted, escaped and shortened (a hostile value can neither forge log
 * lines nor flood them); it never holds a signature or key.
 *
 * <p>Immutable and thread-safe once thrown.
 */
public class MalformedCallbackException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, in plain words; not null */
    public MalformedCallbackException(String message) {
        super(message);
    }
}
