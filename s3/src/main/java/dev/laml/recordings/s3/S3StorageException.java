package dev.laml.recordings.s3;

import dev.laml.recordings.TransferException;
import org.jspecify.annotations.Nullable;

/**
 * An S3 request failed: the store answered with an error (a status and S3's error code, such as
 * {@code 400 BadDigest} or {@code 403 AccessDenied}), or no answer came (connection refused or
 * reset, timeout), so {@link #statusCode()} is 0.
 *
 * <p>A {@link TransferException} because, for an archive, it is one: the recording's bytes did
 * not reach their destination, and the step can be run again. It arrives as the error signal of
 * a {@code Mono} or {@code Flux}, never thrown at call time. When a multipart upload had to be
 * aborted and the abort failed too, that failure is attached with
 * {@link Throwable#addSuppressed(Throwable) addSuppressed} and {@link #orphanedUploadId()} names
 * the upload left behind.
 *
 * <p>The message names the operation, bucket and key, the status and S3's code and message; it
 * never contains credentials (the SDK's messages carry none, and no request header is copied).
 *
 * <p>Immutable once signalled, except for {@link #orphanedUploadId()} which the uploader sets
 * before signalling; safe to share between threads.
 */
public class S3StorageException extends TransferException {

    private static final long serialVersionUID = 1L;

    private final String operation;
    private final String bucket;
    private final String key;
    private final int statusCode;
    private final String errorCode;
    private volatile String orphanedUploadId;

    /**
     * @param message    the full message
     * @param operation  the S3 operation, for example {@code "UploadPart"}; not null
     * @param bucket     the bucket; not null
     * @param key        the object key, or null for an operation on the bucket
     * @param statusCode the HTTP status of S3's answer, or 0 when none arrived
     * @param errorCode  S3's error code, or null when the answer carried none
     * @param cause      the SDK's exception, or null
     */
    public S3StorageException(String message, String operation, String bucket, @Nullable String key,
                              int statusCode, @Nullable String errorCode, @Nullable Throwable cause) {
        super(message, cause);
        this.operation = operation;
        this.bucket = bucket;
        this.key = key;
        this.statusCode = statusCode;
        this.errorCode = errorCode;
    }

    /** The S3 operation that failed, for example {@code "PutObject"} or {@code "UploadPart"}; never null. */
    public String operation() {
        return operation;
    }

    /** The bucket; never null. */
    public String bucket() {
        return bucket;
    }

    /** The object key, or null for an operation on the bucket (such as a listing). */
    public @Nullable String key() {
        return key;
    }

    /** The HTTP status of S3's answer, or 0 when no answer arrived (refused, reset, timed out). */
    public int statusCode() {
        return statusCode;
    }

    /** S3's error code ({@code BadDigest}, {@code NoSuchBucket}, {@code AccessDenied}, ...), or null. */
    public @Nullable String errorCode() {
        return errorCode;
    }

    /**
     * The id of a multipart upload this failure left behind because aborting it failed too (the
     * store was unreachable), or null when nothing was left. Such an upload holds storage until
     * it is aborted, by a later sweep or by the bucket's {@code AbortIncompleteMultipartUpload}
     * lifecycle rule.
     */
    public @Nullable String orphanedUploadId() {
        return orphanedUploadId;
    }

    /** Records the upload left behind; called once by the uploader before the error is signalled. */
    public void recordOrphanedUpload(String uploadId) {
        this.orphanedUploadId = uploadId;
    }
}
