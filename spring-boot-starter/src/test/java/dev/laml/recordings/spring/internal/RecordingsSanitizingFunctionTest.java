package dev.laml.recordings.spring.internal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.actuate.endpoint.SanitizableData;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;

class RecordingsSanitizingFunctionTest {

    private final RecordingsSanitizingFunction function = new RecordingsSanitizingFunction();

    @ParameterizedTest
    @ValueSource(strings = {"laml.recordings.api-token", "laml.recordings.apiToken", "LAML_RECORDINGS_API_TOKEN",
            "laml.recordings.api_token", "LAML_RECORDINGS_APITOKEN"})
    void theTokenIsMaskedUnderEveryNameTheEndpointsUse(String key) {
        assertThat(function.apply(new SanitizableData(null, key, "secret")).getValue()).isEqualTo("******");
    }

    @ParameterizedTest
    @ValueSource(strings = {"laml.recordings.proxy", "LAML_RECORDINGS_PROXY"})
    void theProxyPasswordIsMasked(String key) {
        assertThat(function.apply(new SanitizableData(null, key, "http://u:secret@proxy:3128")).getValue())
                .isEqualTo("http://u:******@proxy:3128");
        assertThat(function.apply(new SanitizableData(null, key, URI.create("http://u:secret@proxy:3128"))).getValue())
                .isEqualTo("http://u:******@proxy:3128");
    }

    @ParameterizedTest
    @ValueSource(strings = {"laml.recordings.project-id", "laml.recordings.space", "other.api-token",
            "laml.recordings.api-token-file", "laml.recordings.no-proxy"})
    void otherKeysAreLeftAlone(String key) {
        SanitizableData data = new SanitizableData(null, key, "value");
        assertThat(function.apply(data)).isSameAs(data);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://proxy:3128", "socks5://127.0.0.1:1080"})
    void aProxyWithoutCredentialsIsLeftAlone(String proxy) {
        SanitizableData data = new SanitizableData(null, "laml.recordings.proxy", proxy);
        assertThat(function.apply(data)).isSameAs(data);
    }
}
