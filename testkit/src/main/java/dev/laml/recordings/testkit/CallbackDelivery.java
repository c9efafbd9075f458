package dev.laml.recordings.testkit;

import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One status callback the server sent (or, with {@link CallbackFault#DROP}, did not send), recorded once it is
 * finished: delivered, failed after its three attempts, or dropped. Tests assert what a receiver was told with it, as
 * {@link RecordedRequest} tells what a client asked.
 *
 * <p>Immutable and thread-safe. Only {@link #field(String)}, {@link #fault()} and {@link #failure()} return null,
 * where their documentation says.
 */
public final class CallbackDelivery {

    /** How a delivery ended. */
    public enum Outcome {
        /** An attempt was answered with a 2xx status. */
        DELIVERED,
        /** Every attempt (three) failed: no answer within the timeout, a refused connection, or a non-2xx status. */
        FAILED,
        /** Never sent: {@link CallbackFault#DROP}. */
        DROPPED
    }

    private final long sequenceNumber;
    private final String recordingSid;
    private final URI url;
    private final Map<String, List<String>> fields;
    private final String body;
    private final String signature;
    private final CallbackFault fault;
    private final List<Integer> attemptStatuses;
    private final Outcome outcome;
    private final String failure;

    CallbackDelivery(long sequenceNumber, String recordingSid, URI url, Map<String, List<String>> fields, String body,
                     String signature, CallbackFault fault, List<Integer> attemptStatuses, Outcome outcome,
                     String failure) {
        this.sequenceNumber = sequenceNumber;
        this.recordingSid = recordingSid;
        this.url = url;
        Map<String, List<String>> copy = new LinkedHashMap<>();
        fields.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        this.fields = Collections.unmodifiableMap(copy);
        this.body = body;
        this.signature = signature;
        this.fault = fault;
        this.attemptStatuses = List.copyOf(attemptStatuses);
        this.outcome = outcome;
        this.failure = failure;
    }

    /**
     * 0 for the first callback the server decided to send, counting in the order they were decided (not finished);
     * the two copies of a {@link CallbackFault#DUPLICATE} share one number.
     */
    public long sequenceNumber() {
        return sequenceNumber;
    }

    /** The recording the callback is about. */
    public String recordingSid() {
        return recordingSid;
    }

    /** The {@code RecordingStatus} it carried: {@code in-progress}, {@code completed}, {@code absent}, ... */
    public String status() {
        return field("RecordingStatus");
    }

    /**
     * Where it was sent: the URL given to {@link RecordingsServer.Builder#statusCallback}, or a live recording's
     * {@code RecordingStatusCallback}; for one sent with {@code RecordingStatusCallbackMethod=GET}, that URL with the
     * fields appended to its query (the URL it signed).
     */
    public URI url() {
        return url;
    }

    /** The form fields, in the order sent; unmodifiable. */
    public Map<String, List<String>> fields() {
        return fields;
    }

    /** The first value of form field {@code name} (case-sensitive), or null when the callback did not carry it. */
    public @Nullable String field(String name) {
        List<String> values = fields.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /**
     * The request body exactly as sent ({@code application/x-www-form-urlencoded}, UTF-8); empty for a GET, whose
     * fields are in {@link #url()}.
     */
    public String body() {
        return body;
    }

    /** The {@code X-SignalWire-Signature} header it carried (a wrong one under {@link CallbackFault#WRONG_SIGNATURE}). */
    public String signature() {
        return signature;
    }

    /** The fault applied, or null for a plain delivery. */
    public @Nullable CallbackFault fault() {
        return fault;
    }

    /**
     * The HTTP status of each attempt, in order; 0 for an attempt that got no answer (refused, reset, timed out).
     * Empty for a dropped callback; at most three entries.
     */
    public List<Integer> attemptStatuses() {
        return attemptStatuses;
    }

    /** How it ended. */
    public Outcome outcome() {
        return outcome;
    }

    /** True when an attempt was answered with a 2xx status. */
    public boolean delivered() {
        return outcome == Outcome.DELIVERED;
    }

    /** Why the last attempt failed, in words, or null when it succeeded or nothing was sent. */
    public @Nullable String failure() {
        return failure;
    }

    /** Sequence number, recording, status, fault and outcome; never the signature. */
    @Override
    public String toString() {
        return "CallbackDelivery[#" + sequenceNumber + " " + recordingSid + " " + status()
                + (fault == null ? "" : " " + fault) + " " + outcome + " " + attemptStatuses + "]";
    }
}
