package dev.laml.recordings.webhooks;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("FormFields")
class FormFieldsTest {

    @Test
    void pairsAreDecodedWithPlusAsSpaceAndPercentEscapesAsUtf8() {
        Map<String, List<String>> fields = FormFields.parse(
                "To=%2B15551230000&Caller=Zo%C3%AB+O%27Brien&Empty=&Flag&Plus=a%2Bb".getBytes(StandardCharsets.UTF_8));

        assertThat(fields).containsExactly(
                Map.entry("To", List.of("+15551230000")),
                Map.entry("Caller", List.of("Zoë O'Brien")),
                Map.entry("Empty", List.of("")),
                Map.entry("Flag", List.of("")),
                Map.entry("Plus", List.of("a+b")));
    }

    @Test
    void aRepeatedNameKeepsItsValuesInTheOrderSentAndNamesKeepFirstAppearanceOrder() {
        Map<String, List<String>> fields = FormFields.parse("b=2&a=1&b=1&A=0&b=3");

        assertThat(fields.keySet()).containsExactly("b", "a", "A");
        assertThat(fields.get("b")).containsExactly("2", "1", "3");
        assertThat(fields.get("A")).containsExactly("0");
    }

    @Test
    void emptyPairsAndAnEmptyBodyGiveNothing() {
        assertThat(FormFields.parse(new byte[0])).isEmpty();
        assertThat(FormFields.parse("&&a=1&")).containsExactly(Map.entry("a", List.of("1")));
    }

    @Test
    void rawNonAsciiTextIsKept() {
        assertThat(FormFields.parse("Name=José 回".getBytes(StandardCharsets.UTF_8)))
                .containsExactly(Map.entry("Name", List.of("José 回")));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"a=%", "a=%2", "a=%G1", "%zz=1", "a=%C3", "a=%FF%FE"})
    void aBadEscapeIsRefusedInPlainWords(String body) {
        assertThatThrownBy(() -> FormFields.parse(body)).isInstanceOf(MalformedCallbackException.class)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid application/x-www-form-urlencoded");
    }

    @Test
    void aBodyThatIsNotUtf8IsRefused() {
        assertThatThrownBy(() -> FormFields.parse(new byte[] {'a', '=', (byte) 0xff}))
                .isInstanceOf(MalformedCallbackException.class).hasMessage("the form body is not UTF-8 text");
    }

    @Test
    void theResultCannotBeModified() {
        Map<String, List<String>> fields = FormFields.parse("a=1");

        assertThatThrownBy(() -> fields.put("b", List.of())).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> fields.get("a").add("2")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aFormParsedHereChecksAgainstASignatureOverItsDecodedValues() {
        String url = "https://example.com/cb";
        Map<String, List<String>> fields = FormFields.parse("To=%2B1555&Body=hello+world&Body=%C3%A9");
        String expected = WebhookSignatureTest.base64Hmac("key", url + "Bodyhello world" + "Bodyé" + "To+1555");

        assertThat(WebhookSignature.of("key").validForm(url, fields, expected)).isTrue();
    }
}
