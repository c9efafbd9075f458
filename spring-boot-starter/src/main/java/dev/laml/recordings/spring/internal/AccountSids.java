package dev.laml.recordings.spring.internal;

import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.protocol.ApiEndpoint;
import dev.laml.recordings.protocol.RecordingsProtocol;

/**
 * Checks an account SID exactly as the client will when it builds a request. Stateless and
 * thread-safe.
 */
public final class AccountSids {

    // Core checks ids as part of building a request; building one (never sent) is its public way to
    // apply the very rule the client applies, rather than a copy of it that could drift.
    private static final RecordingsProtocol PROBE =
            RecordingsProtocol.builder(ApiEndpoint.forSpace("validation")).build();

    private AccountSids() {
    }

    /**
     * Returns {@code accountSid} if it is a valid account SID (a UUID).
     *
     * @throws IllegalArgumentException naming {@code laml.recordings.account-sid} and showing the
     *                                  value quoted and shortened (an account SID is not a secret)
     */
    public static String check(String accountSid) {
        try {
            PROBE.list(accountSid, RecordingQuery.all());
        } catch (IllegalArgumentException e) {
            // No cause on purpose: Boot's failure report prints the root cause's message, and this one names the property.
            throw new IllegalArgumentException("laml.recordings.account-sid: " + e.getMessage());
        }
        return accountSid;
    }
}
