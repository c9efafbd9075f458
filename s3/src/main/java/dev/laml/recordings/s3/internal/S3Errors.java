package dev.laml.recordings.s3.internal;

import dev.laml.recordings.s3.S3StorageException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns whatever the SDK's futures fail with into an {@link S3StorageException} that names the
 * operation, bucket and key: the SDK's own exceptions arrive wrapped in
 * {@link CompletionException}s and carry no key.
 */
public final class S3Errors {

    private S3Errors() {
    }

    public static S3StorageException of(String operation, String bucket, String key, Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof S3StorageException already) {
            return already;
        }
        String where = operation + " s3://" + bucket + (key == null ? "" : "/" + key);
        if (cause instanceof AwsServiceException service) {
            AwsErrorDetails details = service.awsErrorDetails();
            String code = details == null ? null : details.errorCode();
            String serverMessage = details == null ? null : details.errorMessage();
            String message = where + " failed: " + service.statusCode()
                    + (code == null ? "" : " " + code)
                    + (serverMessage == null ? "" : " (" + serverMessage + ")");
            return new S3StorageException(message, operation, bucket, key, service.statusCode(), code, cause);
        }
        String detail = cause instanceof SdkException || cause.getMessage() != null
                ? cause.getMessage() : cause.getClass().getSimpleName();
        return new S3StorageException(where + " failed: " + detail, operation, bucket, key, 0, null, cause);
    }

    /** True when S3 answered with this status (a 404 on HEAD, NoSuchUpload on abort, ...). */
    public static boolean hasStatus(Throwable failure, int status) {
        Throwable cause = unwrap(failure);
        if (cause instanceof S3StorageException s3) {
            return s3.statusCode() == status;
        }
        return cause instanceof AwsServiceException service && service.statusCode() == status;
    }

    /**
     * True when the store answered that it does not implement what a request's {@code x-amz-checksum-*} header asks
     * for: 501 (S3Proxy 2.x: NotImplemented, "A header you provided implies functionality that is not implemented"),
     * or a 400 that says so (NotImplemented, or an InvalidArgument/InvalidRequest/UnsupportedHeader naming a checksum).
     * A BadDigest is not one: that is the check working.
     */
    public static boolean checksumNotImplemented(Throwable failure) {
        Throwable cause = unwrap(failure);
        int status;
        String code;
        String message;
        if (cause instanceof S3StorageException s3) {
            status = s3.statusCode();
            code = s3.errorCode();
            message = s3.getMessage();
        } else if (cause instanceof AwsServiceException service) {
            status = service.statusCode();
            AwsErrorDetails details = service.awsErrorDetails();
            code = details == null ? null : details.errorCode();
            message = details == null ? null : details.errorMessage();
        } else {
            return false;
        }
        if (status == 501) {
            return true;
        }
        if (status != 400 || code == null) {
            return false;
        }
        if (code.equals("NotImplemented")) {
            return true;
        }
        return (code.equals("InvalidArgument") || code.equals("InvalidRequest") || code.equals("UnsupportedHeader"))
                && message != null && message.toLowerCase(java.util.Locale.ROOT).contains("checksum");
    }

    /**
     * True when the SDK's HTTP client failed a request over a defect of its own rather than the network or the store:
     * an {@link SdkClientException} caused by an {@link IllegalArgumentException} or {@link IllegalStateException}.
     * The one seen here: the Netty client takes a pooled connection that an earlier, cancelled request left with its
     * body handler still installed, and fails with "Duplicate handler name: HttpStreamsClientHandler#0-body-subscriber"
     * (aws/aws-sdk-java-v2#1903, open for years). The SDK's retry policy retries I/O failures only, so it gives up on
     * a request a fresh connection would carry. Said only of what is safe to send again (an UploadPart: S3 keeps the
     * last upload of a part number).
     */
    public static boolean clientDefect(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (!(cause instanceof SdkClientException)) {
            return false;
        }
        for (Throwable t = cause.getCause(); t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IllegalArgumentException || t instanceof IllegalStateException) {
                return true;
            }
        }
        return false;
    }

    /** The status and code of a store's answer, for a one-line notice: {@code 501 NotImplemented}. */
    static String brief(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof S3StorageException s3) {
            return s3.statusCode() + (s3.errorCode() == null ? "" : " " + s3.errorCode());
        }
        if (cause instanceof AwsServiceException service) {
            AwsErrorDetails details = service.awsErrorDetails();
            return service.statusCode() + (details == null || details.errorCode() == null ? "" : " " + details.errorCode());
        }
        return "refused";
    }

    static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
