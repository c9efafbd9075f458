package dev.laml.recordings;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static dev.laml.recordings.TestData.BASIC_B64;
import static dev.laml.recordings.TestData.PROJECT;
import static dev.laml.recordings.TestData.TOKEN;
import static dev.laml.recordings.TestData.TOKEN_B64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

@DisplayName("Credentials: project id and API token as HTTP Basic")
class CredentialsTest {

    @Test
    void theHeaderIsBasicWithBase64OfProjectColonToken() {
        Credentials c = Credentials.of(PROJECT, TOKEN);
        String expected = "Basic " + Base64.getEncoder().encodeToString(
                (PROJECT + ":" + TOKEN).getBytes(StandardCharsets.UTF_8));

        assertThat(c.authorizationHeader()).isEqualTo(expected);
        assertThat(c.projectId()).isEqualTo(PROJECT);
    }

    @Test
    void nonAsciiIsEncodedAsUtf8() {
        assertThat(Credentials.of("prój", "tøken").authorizationHeader())
                .isEqualTo("Basic " + Base64.getEncoder().encodeToString("prój:tøken".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aColonIsAllowedInTheToken() {
        assertThat(Credentials.of("project", "to:ken").authorizationHeader())
                .isEqualTo("Basic " + Base64.getEncoder().encodeToString("project:to:ken".getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {":", "pro:ject", "project:"})
    void aColonInTheProjectIdIsRejected(String projectId) {
        assertThatIllegalArgumentException().isThrownBy(() -> Credentials.of(projectId, TOKEN))
                .withMessageStartingWith("projectId ")
                .withMessageNotContaining(TOKEN);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @ValueSource(strings = {"a\rb", "a\nb", "a\r\nX-Injected: 1", "\n", "a\u0000", "a\tb", "a\u007f"})
    void controlCharactersAreRejectedInEitherPart(String bad) {
        assertThatIllegalArgumentException().isThrownBy(() -> Credentials.of(bad, TOKEN))
                .withMessageStartingWith("projectId ")
                .withMessageNotContaining(TOKEN);
        assertThatIllegalArgumentException().isThrownBy(() -> Credentials.of(PROJECT, bad))
                .withMessageStartingWith("apiToken ")
                .withMessageNotContaining(bad);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @NullAndEmptySource
    void nullAndEmptyAreRejectedInEitherPart(String missing) {
        assertThatIllegalArgumentException().isThrownBy(() -> Credentials.of(missing, TOKEN))
                .withMessageStartingWith("projectId ");
        assertThatIllegalArgumentException().isThrownBy(() -> Credentials.of(PROJECT, missing))
                .withMessageStartingWith("apiToken ");
    }

    @Test
    void aRejectedTokenIsNeverEchoed() {
        String token = "s3cret\nvalue";
        assertThatIllegalArgumentException().isThrownBy(() -> Credentials.of(PROJECT, token))
                .withMessageNotContaining("s3cret");
    }

    @Test
    void toStringShowsTheProjectButNeitherTheTokenNorItsEncodings() {
        String shown = Credentials.of(PROJECT, TOKEN).toString();

        assertThat(shown).contains(PROJECT).doesNotContain(TOKEN, BASIC_B64, TOKEN_B64);
    }

    @Test
    void equalPartsMakeEqualCredentials() {
        Credentials a = Credentials.of(PROJECT, TOKEN);

        assertThat(a).isEqualTo(Credentials.of(PROJECT, TOKEN)).hasSameHashCodeAs(Credentials.of(PROJECT, TOKEN));
        assertThat(a).isNotEqualTo(Credentials.of(PROJECT, TOKEN + "x"));
        assertThat(a).isNotEqualTo(Credentials.of(PROJECT + "x", TOKEN));
        assertThat(a).isNotEqualTo(null).isNotEqualTo(PROJECT + ":" + TOKEN);
    }
}
