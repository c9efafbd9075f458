package dev.laml.recordings.testkit;

/**
 * What can go wrong with a status callback on its way to the receiver, as one vocabulary: attach one to the next
 * callback ({@link RecordingsServer#enqueueCallbackFault}), to a recording's callbacks
 * ({@link RecordingsServer#injectCallbackFault}), or to a share of all callbacks at random
 * ({@link RecordingsServer.Builder#statusCallbackFaultRate}).
 *
 * <p>A failed delivery (no answer within the timeout, or a status other than 2xx) is retried twice whatever its fault,
 * as SignalWire tries a callback three times at most. Immutable and thread-safe.
 */
public enum CallbackFault {

    /**
     * The callback is sent twice: two {@link CallbackDelivery deliveries} with the same fields and signature, each
     * retried on its own, as a callback SignalWire resends after an answer it did not see. A receiver must store the
     * recording once.
     */
    DUPLICATE,

    /**
     * The callback is signed with a key other than the configured one, as a forger without the key would: a receiver
     * must answer 403 and fetch nothing. (Its 403 counts as a failed delivery, so it is tried three times.)
     */
    WRONG_SIGNATURE,

    /**
     * The callback is never sent, as one lost between SignalWire and the receiver; it is still recorded, as
     * {@link CallbackDelivery.Outcome#DROPPED}, so a test knows which recording a receiver could not have heard of.
     */
    DROP
}
