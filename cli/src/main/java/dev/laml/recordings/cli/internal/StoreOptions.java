package dev.laml.recordings.cli.internal;

import dev.laml.recordings.reactor.ArchiveTarget;
import dev.laml.recordings.s3.S3Target;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;

import java.net.URI;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The S3 destination options ({@code --to s3://…} and the {@code --s3-…} settings), shared as a picocli mixin by every
 * command that archives ({@code archive}, {@code listen}) so that they accept the same settings with the same checks
 * and words. {@code --dir} stays with each command, whose description differs. Checked before anything is sent: a bad
 * value is an {@link InvalidInputException} (exit 2). Not thread-safe (picocli fills it, then one command reads it).
 */
final class StoreOptions {

    @Option(names = "--to", paramLabel = "s3://BUCKET[/PREFIX]",
            description = {"Archive into S3 (or an S3-compatible store) instead: the same layout below PREFIX, "
                    + "streamed straight into the upload (one PUT up to 8 MiB, else multipart, each part "
                    + "checksummed). Credentials and region: the AWS SDK's default chain (AWS_ACCESS_KEY_ID, "
                    + "AWS_SECRET_ACCESS_KEY, AWS_REGION, profiles, roles)."})
    String to;

    @Option(names = "--s3-endpoint", paramLabel = "URL",
            description = "With --to: an S3-compatible endpoint (MinIO, Ceph, ...) instead of AWS.")
    URI s3Endpoint;

    @Option(names = "--s3-path-style",
            description = "With --to: address the bucket in the path (https://endpoint/BUCKET/KEY), as most "
                    + "S3-compatible stores need.")
    boolean s3PathStyle;

    @Option(names = "--s3-checksum", paramLabel = "auto|sha256|md5|none", defaultValue = "auto",
            description = {"With --to: the check the store performs on every upload. auto (default): S3's SHA-256 "
                    + "checksum where the store implements it, else, from its first refusal on (said once on stderr), "
                    + "Content-MD5. sha256, md5: only that. none: nothing (for stores that check nothing); copies are "
                    + "then proven by size and ETag only, and --delete-after-verify needs --verify-remote. The "
                    + "recording's SHA-256 is recorded in the sidecar either way, with the check the store made."})
    String s3Checksum;

    @Option(names = "--s3-storage-class", paramLabel = "CLASS",
            description = "With --to: the audio's storage class (STANDARD_IA, GLACIER_IR, INTELLIGENT_TIERING, ...); "
                    + "sidecars stay in the bucket's default. A copy stored with another class counts as stored.")
    String s3StorageClass;

    @Option(names = "--s3-sse", paramLabel = "aes256|kms",
            description = "With --to: server-side encryption of the audio and sidecars: aes256 (SSE-S3) or kms "
                    + "(SSE-KMS, with --s3-kms-key-id or the account's default key).")
    String s3Sse;

    @Option(names = "--s3-kms-key-id", paramLabel = "ID",
            description = "With --s3-sse kms: the KMS key (id, ARN or alias).")
    String s3KmsKeyId;

    @Option(names = "--s3-expected-bucket-owner", paramLabel = "ACCOUNT",
            description = "With --to: the 12-digit AWS account that must own the bucket, sent on every request (S3 "
                    + "refuses the request if another account owns it).")
    String s3ExpectedBucketOwner;

    /** Whether {@code --to} was given. */
    boolean s3() {
        return to != null;
    }

    /**
     * Checks the options together: with {@code --to}, the destination and every setting; without it, that no
     * {@code --s3-…} option was given.
     *
     * @param deleteAfterVerify whether the command deletes recordings once archived
     * @param verifyRemote whether each copy is read back before a deletion ({@code false} where there is no such option)
     * @return the destination, or null without {@code --to}
     */
    S3Destination check(boolean deleteAfterVerify, boolean verifyRemote) {
        if (to == null) {
            if (s3Endpoint != null || s3PathStyle || s3StorageClass != null || s3Sse != null || s3KmsKeyId != null
                    || s3ExpectedBucketOwner != null || !"auto".equalsIgnoreCase(s3Checksum)) {
                throw new InvalidInputException("the --s3-... options go with --to");
            }
            return null;
        }
        S3Destination s3 = S3Destination.parse(to);
        if (s3Endpoint != null && (s3Endpoint.getScheme() == null || s3Endpoint.getHost() == null
                || !s3Endpoint.getScheme().matches("(?i)https?") || s3Endpoint.getRawUserInfo() != null)) {
            throw new InvalidInputException("--s3-endpoint must be an http(s) URL without user info, e.g. "
                    + "https://minio.example:9000");
        }
        settings(deleteAfterVerify, verifyRemote);
        return s3;
    }

    /** The SDK client for the destination; the caller closes it. */
    S3AsyncClient client(Session session) {
        return S3Destination.client(session, s3Endpoint, s3PathStyle);
    }

    /**
     * The target for a destination that {@link #check} returned, with every setting applied; a fallback to
     * Content-MD5 is said once on stderr.
     */
    ArchiveTarget target(S3Destination s3, S3AsyncClient client, Session session, boolean deleteAfterVerify,
                         boolean verifyRemote) {
        return settings(deleteAfterVerify, verifyRemote).apply(s3.target(client)
                .onChecksumFallback(notice -> session.err.println("note: " + notice)));
    }

    /** The --s3-... options as settings of the target, checked before anything is sent (exit 2). */
    private UnaryOperator<S3Target> settings(boolean deleteAfterVerify, boolean verifyRemote) {
        S3Target.Checksum checksum = switch (s3Checksum.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> S3Target.Checksum.AUTO;
            case "sha256" -> S3Target.Checksum.SHA256;
            case "md5" -> S3Target.Checksum.MD5;
            case "none" -> S3Target.Checksum.NONE;
            default -> throw new InvalidInputException("--s3-checksum must be auto, sha256, md5 or none, got '"
                    + printable(s3Checksum) + "'");
        };
        if (checksum == S3Target.Checksum.NONE && deleteAfterVerify && !verifyRemote) {
            throw new InvalidInputException("with --s3-checksum none the store checks nothing, so "
                    + "--delete-after-verify needs --verify-remote (each copy read back before its recording is "
                    + "deleted)");
        }
        StorageClass storageClass = null;
        if (s3StorageClass != null) {
            storageClass = StorageClass.fromValue(s3StorageClass.trim().toUpperCase(Locale.ROOT));
            if (storageClass == StorageClass.UNKNOWN_TO_SDK_VERSION) {
                throw new InvalidInputException("--s3-storage-class must be one of "
                        + StorageClass.knownValues().stream().map(StorageClass::toString).sorted().toList()
                        + ", got '" + printable(s3StorageClass) + "'");
            }
        }
        ServerSideEncryption sse = null;
        if (s3Sse != null) {
            sse = switch (s3Sse.trim().toLowerCase(Locale.ROOT)) {
                case "aes256" -> ServerSideEncryption.AES256;
                case "kms", "aws:kms" -> ServerSideEncryption.AWS_KMS;
                default -> throw new InvalidInputException("--s3-sse must be aes256 or kms, got '"
                        + printable(s3Sse) + "'");
            };
        }
        if (s3KmsKeyId != null && sse != ServerSideEncryption.AWS_KMS) {
            throw new InvalidInputException("--s3-kms-key-id goes with --s3-sse kms");
        }
        if (s3ExpectedBucketOwner != null && !s3ExpectedBucketOwner.trim().matches("[0-9]{12}")) {
            throw new InvalidInputException("--s3-expected-bucket-owner must be a 12-digit AWS account id, got '"
                    + printable(s3ExpectedBucketOwner) + "'");
        }
        if (s3KmsKeyId != null && (s3KmsKeyId.isBlank()
                || !s3KmsKeyId.trim().chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            throw new InvalidInputException("--s3-kms-key-id must be a key id, ARN or alias (printable, no spaces)");
        }
        StorageClass cls = storageClass;
        ServerSideEncryption encryption = sse;
        return t -> {
            S3Target r = t.checksum(checksum);
            if (cls != null) {
                r = r.storageClass(cls);
            }
            if (encryption != null) {
                r = r.sse(encryption, s3KmsKeyId == null ? null : s3KmsKeyId.trim());
            }
            if (s3ExpectedBucketOwner != null) {
                r = r.expectedBucketOwner(s3ExpectedBucketOwner.trim());
            }
            return r;
        };
    }

    private static String printable(String s) {
        String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 40 ? clean.substring(0, 40) + "..." : clean;
    }
}
