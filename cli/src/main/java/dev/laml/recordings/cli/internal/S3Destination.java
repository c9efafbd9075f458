package dev.laml.recordings.cli.internal;

import dev.laml.recordings.s3.S3Target;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * {@code archive --to s3://bucket/prefix}: the parsed URL, and the S3 client the archive writes with.
 *
 * <p>Credentials and region come from the AWS SDK's default chain (profiles, container and instance roles), except
 * that {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}/{@code AWS_SESSION_TOKEN} and
 * {@code AWS_REGION}/{@code AWS_DEFAULT_REGION} are read from the run's {@link Session} environment first, so that
 * an embedded or tested run is given them like any other setting. The secret goes to the SDK and nowhere else: never
 * printed, not in {@link #toString()}.
 *
 * <p>Immutable; the client it makes is the caller's to close.
 */
final class S3Destination {

    private final String bucket;
    private final String prefix;

    private S3Destination(String bucket, String prefix) {
        this.bucket = bucket;
        this.prefix = prefix;
    }

    /**
     * Parses {@code s3://bucket} or {@code s3://bucket/prefix/...}.
     *
     * @throws InvalidInputException (exit 2) for anything else
     */
    static S3Destination parse(String url) {
        String shown = url == null ? "" : url.replaceAll("[^\\x20-\\x7e]", "?");
        String why = "--to must be s3://BUCKET or s3://BUCKET/PREFIX, got '" + shown + "'";
        if (url == null || !url.regionMatches(true, 0, "s3://", 0, 5)) {
            throw new InvalidInputException(why);
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new InvalidInputException(why);
        }
        String bucket = uri.getRawAuthority();
        if (bucket == null || bucket.isEmpty() || uri.getRawQuery() != null || uri.getRawFragment() != null
                || bucket.contains("@") || bucket.contains(":")) {
            throw new InvalidInputException(why);
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        return new S3Destination(bucket, path);
    }

    /**
     * The archive target on {@code s3}, whose bucket and prefix are checked.
     *
     * @throws InvalidInputException for a bucket name S3 does not allow or a prefix with {@code ..}
     */
    S3Target target(S3AsyncClient s3) {
        try {
            return S3Target.of(s3, bucket, prefix);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("--to: " + e.getMessage());
        }
    }

    /**
     * A client for this destination.
     *
     * @param endpoint  an S3-compatible endpoint (MinIO, Ceph, S3Proxy...), or null for AWS
     * @param pathStyle {@code https://endpoint/bucket/key} instead of {@code https://bucket.endpoint/key}
     */
    static S3AsyncClient client(Session session, URI endpoint, boolean pathStyle) {
        S3AsyncClientBuilder b = S3AsyncClient.builder().credentialsProvider(credentials(session))
                .region(region(session, endpoint != null))
                .forcePathStyle(pathStyle);
        if (endpoint != null) {
            b.endpointOverride(endpoint);
        }
        return b.build();
    }

    private static AwsCredentialsProvider credentials(Session session) {
        String id = session.envAsSet("AWS_ACCESS_KEY_ID");
        String secret = session.envAsSet("AWS_SECRET_ACCESS_KEY");
        if (id != null && !id.isBlank() && secret != null && !secret.isBlank()) {
            String token = session.envAsSet("AWS_SESSION_TOKEN");
            return StaticCredentialsProvider.create(token == null || token.isBlank()
                    ? AwsBasicCredentials.create(id, secret) : AwsSessionCredentials.create(id, secret, token));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    /** The session's region, else the SDK's chain; with a custom endpoint and no region anywhere, us-east-1. */
    private static Region region(Session session, boolean customEndpoint) {
        for (String name : new String[] {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
            String r = session.envAsSet(name);
            if (r != null && !r.isBlank()) {
                return Region.of(r.trim());
            }
        }
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (RuntimeException none) {
            if (customEndpoint) {
                return Region.US_EAST_1; // S3-compatible stores ignore it, but the signature needs one
            }
            throw new InvalidInputException("no AWS region: set AWS_REGION (or a profile's region) for --to");
        }
    }

    @Override
    public String toString() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : prefix);
    }
}
