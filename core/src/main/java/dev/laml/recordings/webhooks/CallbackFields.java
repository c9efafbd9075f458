package dev.laml.recordings.webhooks;

import dev.laml.recordings.internal.Validation;
import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Map;

/**
 * How every callback reads its form's single-valued fields and sids: one copy, so that a recording's status callback
 * and a transcription's callback refuse the same things in the same words. Stateless; package-private.
 */
final class CallbackFields {

    private CallbackFields() {
    }

    /** The field's one value, or null when absent or blank; refused when sent more than once. */
    static @Nullable String single(Map<String, List<String>> form, String name) {
        List<String> values = form.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            // Two values for one field: which one the sender meant is a guess, and a guess about a sid decides what
            // gets fetched.
            throw new MalformedCallbackException("the callback's " + name + " field is sent " + values.size()
                    + " times; it may appear once");
        }
        String v = values.get(0);
        return v == null || v.isBlank() ? null : v;
    }

    /** The field as a UUID sid; null when absent and not {@code required}. */
    static @Nullable String sid(Map<String, List<String>> form, String name, boolean required) {
        String v = single(form, name);
        if (v == null) {
            if (required) {
                throw new MalformedCallbackException("the callback has no " + name + " field");
            }
            return null;
        }
        if (!Validation.isUuid(v)) {
            throw new MalformedCallbackException(name + " must be a UUID (8-4-4-4-12 hex digits), got "
                    + Validation.quote(v));
        }
        return v;
    }
}
