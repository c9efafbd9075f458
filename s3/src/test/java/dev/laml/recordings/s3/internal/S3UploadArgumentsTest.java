package dev.laml.recordings.s3.internal;

import dev.laml.recordings.s3.internal.S3Upload.Destination;
import dev.laml.recordings.s3.internal.S3Upload.Settings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The caller's mistakes are refused at call time, before anything is sent. */
class S3UploadArgumentsTest {

    static S3AsyncClient s3;

    @BeforeAll
    static void client() {
        // Never used to send anything: port 9 (discard) on loopback.
        s3 = S3AsyncClient.builder().endpointOverride(URI.create("http://127.0.0.1:9")).region(Region.US_EAST_1)
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .httpClient(NettyNioAsyncHttpClient.builder().build()).build();
    }

    @AfterAll
    static void close() {
        s3.close();
    }

    @Test
    void settingsStayWithinWhatS3AndMemoryAllow() {
        Settings defaults = Settings.defaults();
        assertThat(defaults.partSize()).isEqualTo(8 * 1024 * 1024);
        assertThat(defaults.partsInFlight()).isEqualTo(3);

        assertThatThrownBy(() -> defaults.withPartSize(S3Upload.MIN_PART_SIZE - 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partSize");
        assertThatThrownBy(() -> defaults.withPartSize(S3Upload.MAX_PART_SIZE + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withPartsInFlight(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withAbortRetries(0, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> defaults.withAbortRetries(1, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void metadataMustRoundTripThroughS3Headers() {
        assertThat(new Destination("b", "k", null, null).contentType()).isEqualTo("application/octet-stream");
        assertThat(new Destination("b", "k", "audio/mpeg", Map.of("call-sid", "CA1")).metadata())
                .containsExactly(Map.entry("call-sid", "CA1"));

        assertThatThrownBy(() -> new Destination("b", "k", null, Map.of("Call-Sid", "CA1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lower-case");
        assertThatThrownBy(() -> new Destination("b", "k", null, Map.of("sha256", "00")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("set by the uploader");
        assertThatThrownBy(() -> new Destination("b", "k", null, Map.of("note", "caf\u00e9")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("printable ASCII");
        assertThatThrownBy(() -> new Destination("b", "k", null, Map.of("note", " padded")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Destination("b", "k", null, Map.of("note", "x".repeat(2000))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bytes");
        assertThatThrownBy(() -> new Destination("", "k", null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Destination("b", "k".repeat(1025), null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1024");
    }

    @Test
    void theMetadataIsCopied() {
        Map<String, String> metadata = new HashMap<>(Map.of("sid", "RE1"));
        Destination destination = new Destination("b", "k", null, metadata);
        metadata.put("sid", "RE2");

        assertThat(destination.metadata()).containsEntry("sid", "RE1");
    }

    @Test
    void aNegativeLengthOtherThanUnknownIsRefusedAtCallTime() {
        S3Upload upload = new S3Upload(s3);

        assertThatThrownBy(() -> upload.upload(Destination.of("b", "k"), Flux.empty(), -2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("contentLength");
        assertThatThrownBy(() -> upload.head("b", "")).isInstanceOf(IllegalArgumentException.class);
    }
}
