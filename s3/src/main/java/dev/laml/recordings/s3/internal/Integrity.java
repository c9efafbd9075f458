package dev.laml.recordings.s3.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Which integrity check an upload asks the store for, learnt once per archive run: S3's additional checksum
 * ({@code x-amz-checksum-sha256}), {@code Content-MD5}, or nothing.
 *
 * <p>With {@link Mode#AUTO} it starts with SHA-256; the first answer that says the store does not implement it
 * ({@link S3Errors#checksumNotImplemented}) switches this run to MD5 for good, and the notice is given once. While
 * undecided, parts also compute their MD5 as their blocks arrive, so that the refused request can be sent again from
 * the bytes still in hand (never from the source: a download cannot be replayed); once a SHA-256 request has been
 * accepted, they stop doing so.
 *
 * <p>Thread-safe: shared by every upload of a run.
 */
public final class Integrity {

    /** What was asked for. */
    public enum Mode { AUTO, SHA256, MD5, NONE }

    /** The check a request asks the store for; named as the sidecar records it. */
    public enum Check {
        SHA256("sha256"), MD5("md5"), NONE("none");

        private final String wireName;

        Check(String wireName) {
            this.wireName = wireName;
        }

        /** {@code sha256}, {@code md5} or {@code none}. */
        public String wireName() {
            return wireName;
        }
    }

    private final Mode mode;
    private final Consumer<String> notice;
    /** AUTO's decision; null while undecided. */
    private final AtomicReference<Check> decided = new AtomicReference<>();
    private final AtomicBoolean told = new AtomicBoolean();

    /**
     * @param mode   what was asked for
     * @param notice told once, in words, when AUTO falls back to MD5; may be called from any thread
     */
    public Integrity(Mode mode, Consumer<String> notice) {
        this.mode = java.util.Objects.requireNonNull(mode, "mode");
        this.notice = notice == null ? m -> { } : notice;
    }

    /** A fixed check that never changes (S3Upload's own default: SHA-256). */
    public static Integrity fixed(Check check) {
        Integrity i = new Integrity(switch (check) {
            case SHA256 -> Mode.SHA256;
            case MD5 -> Mode.MD5;
            case NONE -> Mode.NONE;
        }, null);
        return i;
    }

    public Mode mode() {
        return mode;
    }

    /** The check to ask for now. */
    public Check current() {
        return switch (mode) {
            case SHA256 -> Check.SHA256;
            case MD5 -> Check.MD5;
            case NONE -> Check.NONE;
            case AUTO -> {
                Check d = decided.get();
                yield d == null ? Check.SHA256 : d;
            }
        };
    }

    /** Whether a part begun now must compute its MD5: MD5 is asked for, or might be after a fallback. */
    public boolean wantsMd5() {
        return mode == Mode.MD5 || (mode == Mode.AUTO && decided.get() != Check.SHA256);
    }

    /** A request carrying SHA-256 was accepted: AUTO keeps SHA-256 for the rest of the run. */
    public void sha256Accepted() {
        if (mode == Mode.AUTO) {
            decided.compareAndSet(null, Check.SHA256);
        }
    }

    /**
     * A request sent with {@code sent} failed with {@code failure}: true when the same request should be sent again
     * with {@link #current()}, because AUTO has (now or earlier, by a concurrent upload) fallen back to MD5 on the
     * store's word that it does not implement the additional checksums. {@code where} names the store in the notice.
     */
    public boolean fallBack(Check sent, Throwable failure, String where) {
        if (mode != Mode.AUTO || sent != Check.SHA256 || !S3Errors.checksumNotImplemented(failure)) {
            return false;
        }
        if (decided.get() == Check.SHA256) {
            return false; // accepted before: this refusal means something else
        }
        decided.compareAndSet(null, Check.MD5);
        if (decided.get() != Check.MD5) {
            return false;
        }
        if (told.compareAndSet(false, true)) {
            notice.accept(where + " does not implement S3's additional checksums (" + S3Errors.brief(failure)
                    + "): uploads of this run send Content-MD5 instead, which the store checks");
        }
        return true;
    }
}
