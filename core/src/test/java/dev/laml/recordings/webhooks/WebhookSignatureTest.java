package dev.laml.recordings.webhooks;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every expected signature here is computed from the recipe with {@code javax.crypto.Mac}, never by
 * the class under test: HMAC-SHA1 keyed with the signing key over the URL followed by the sorted
 * name/value pairs (Base64), or over the URL followed by the raw body (lowercase hex).
 */
@DisplayName("WebhookSignature")
class WebhookSignatureTest {

    private static final String KEY = "PSK_signing_key_1234567890abcdef";
    private static final String OLD_KEY = "PSK_previous_key_0000000000000000";
    private static final String URL = "https://example.com/recordings/events";

    /** Base64(HMAC-SHA1(key, data)): the form scheme's output for an already concatenated text. */
    static String base64Hmac(String key, String data) {
        return Base64.getEncoder().encodeToString(hmac(key, data.getBytes(StandardCharsets.UTF_8)));
    }

    /** Lowercase hex of HMAC-SHA1(key, url bytes + body bytes): SignalWire's newer scheme. */
    static String hexHmac(String key, String url, byte[] body) {
        byte[] data = new byte[url.getBytes(StandardCharsets.UTF_8).length + body.length];
        byte[] u = url.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(u, 0, data, 0, u.length);
        System.arraycopy(body, 0, data, u.length, body.length);
        return HexFormat.of().formatHex(hmac(key, data));
    }

    static byte[] hmac(String key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return mac.doFinal(data);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String sha256Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Map<String, List<String>> form(String... nameValues) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            m.computeIfAbsent(nameValues[i], k -> new ArrayList<>()).add(nameValues[i + 1]);
        }
        return m;
    }

    private final WebhookSignature signature = WebhookSignature.of(KEY);

    // ---- form scheme -------------------------------------------------------------------------

    @Test
    void aFormIsSignedOverTheUrlAndItsParametersSortedByName() {
        Map<String, List<String>> params = form("To", "+15551230000", "From", "+15559870000",
                "CallSid", "11111111-2222-3333-4444-555555555555", "RecordingStatus", "completed");
        String expected = base64Hmac(KEY, URL + "CallSid11111111-2222-3333-4444-555555555555" + "From+15559870000"
                + "RecordingStatuscompleted" + "To+15551230000");

        assertThat(signature.validForm(URL, params, expected)).isTrue();
    }

    @Test
    void aFormSignedInTheOrderSentRatherThanSortedIsNotValid() {
        Map<String, List<String>> params = form("To", "a", "From", "b");
        String unsorted = base64Hmac(KEY, URL + "Toa" + "Fromb");

        assertThat(signature.validForm(URL, params, unsorted)).isFalse();
        assertThat(signature.validForm(URL, params, base64Hmac(KEY, URL + "Fromb" + "Toa"))).isTrue();
    }

    @Test
    void namesDifferingInCaseAreDistinctFieldsAndUpperCaseSortsFirst() {
        Map<String, List<String>> params = form("b", "4", "a", "3", "B", "2", "A", "1");
        String expected = base64Hmac(KEY, URL + "A1" + "B2" + "a3" + "b4");
        String caseInsensitiveOrder = base64Hmac(KEY, URL + "A1" + "a3" + "B2" + "b4");

        assertThat(signature.validForm(URL, params, expected)).isTrue();
        assertThat(signature.validForm(URL, params, caseInsensitiveOrder)).isFalse();
    }

    @Test
    void aRepeatedNameContributesEachValueInTheOrderSent() {
        Map<String, List<String>> params = form("Digits", "3", "Caller", "x", "Digits", "1", "Digits", "2");
        String orderSent = base64Hmac(KEY, URL + "Callerx" + "Digits3" + "Digits1" + "Digits2");
        String otherOrder = base64Hmac(KEY, URL + "Callerx" + "Digits1" + "Digits3" + "Digits2");
        String valuesOnce = base64Hmac(KEY, URL + "Callerx" + "Digits312");

        assertThat(signature.validForm(URL, params, orderSent)).isTrue();
        assertThat(signature.validForm(URL, params, otherOrder)).isFalse();
        assertThat(signature.validForm(URL, params, valuesOnce)).isFalse();
    }

    @Test
    void aRepeatedNameSignedWithItsValuesSortedAsTwilioSdksDoIsAlsoValid() {
        Map<String, List<String>> params = form("Digits", "3", "Digits", "1", "Digits", "2");

        assertThat(signature.validForm(URL, params, base64Hmac(KEY, URL + "Digits1" + "Digits2" + "Digits3"))).isTrue();
    }

    @Test
    void aGetRequestCarriesItsParametersInTheUrlAndIsCheckedWithNoParameters() {
        String url = URL + "?RecordingSid=abc&RecordingStatus=completed";

        assertThat(signature.validForm(url, Map.of(), base64Hmac(KEY, url))).isTrue();
        assertThat(signature.validForm(URL, Map.of(), base64Hmac(KEY, url))).isFalse();
    }

    @Test
    void aValueChangedAfterSigningIsNotValid() {
        String signed = base64Hmac(KEY, URL + "RecordingSid" + "a" + "RecordingStatus" + "completed");

        assertThat(signature.validForm(URL, form("RecordingSid", "a", "RecordingStatus", "completed"), signed)).isTrue();
        assertThat(signature.validForm(URL, form("RecordingSid", "b", "RecordingStatus", "completed"), signed)).isFalse();
        assertThat(signature.validForm(URL, form("RecordingSid", "a", "RecordingStatus", "completed", "Extra", ""),
                signed)).isFalse();
    }

    @Test
    void aNullValueListOrNullValueCountsAsEmpty() {
        Map<String, List<String>> params = new LinkedHashMap<>();
        params.put("A", null);
        List<String> withNull = new ArrayList<>();
        withNull.add(null);
        params.put("B", withNull);

        assertThat(signature.validForm(URL, params, base64Hmac(KEY, URL + "B"))).isTrue();
    }

    // ---- ports ---------------------------------------------------------------------------------

    @ParameterizedTest(name = "[{index}] checked against {0}, signed over {1}")
    @CsvSource({
            "https://example.com/cb,            https://example.com/cb",
            "https://example.com/cb,            https://example.com:443/cb",
            "https://example.com:443/cb,        https://example.com:443/cb",
            "https://example.com:443/cb,        https://example.com/cb",
            "https://example.com:8443/cb,       https://example.com:8443/cb",
            "https://example.com:8443/cb,       https://example.com/cb",
            "http://example.com/cb,             http://example.com:80/cb",
            "http://example.com:8080/cb?x=1,    http://example.com/cb?x=1",
            "HTTPS://Example.com/cb,            HTTPS://Example.com:443/cb",
            "HTTPS://Example.com/cb,            https://example.com:443/cb",
            "https://U:P@Example.COM:8443/cb,   https://U:P@example.com/cb",
            "http://[::1]:8080/cb,              http://[::1]/cb",
            "http://[::1]/cb,                   http://[::1]:80/cb",
            "https://example.com,               https://example.com:443",
            "https://example.com?x=1,           https://example.com:443?x=1",
            "https://example.com?x=1,           https://example.com/?x=1",
            "https://Example.com,               https://example.com:443/",
            "https://example.com:8443#f,        https://example.com/#f",
            "https://u:p@example.com/cb,        https://u:p@example.com:443/cb",
            "https://u:p@example.com:9000/cb,   https://u:p@example.com/cb",
    })
    void theUrlIsTriedAsGivenWithTheDefaultPortAddedAndWithItsPortRemoved(String checked, String signed) {
        Map<String, List<String>> params = form("RecordingStatus", "completed");

        assertThat(signature.validForm(checked, params, base64Hmac(KEY, signed + "RecordingStatuscompleted"))).isTrue();
    }

    @ParameterizedTest(name = "[{index}] checked against {0}, signed over {1}")
    @CsvSource({
            "https://example.com:8443/cb,   https://example.com:443/cb",
            "https://example.com/cb,        https://example.com:80/cb",
            "http://example.com/cb,         http://example.com:443/cb",
            "https://example.com/cb,        https://example.com:8443/cb",
            "https://example.com/cb,        http://example.com/cb",
            "https://example.com/cb,        https://example.com/cb/",
            "https://example.com/cb,        https://EXAMPLE.com/cb",
            "https://U:P@example.com/cb,    https://u:p@example.com/cb",
            "https://example.com/CB,        https://example.com/cb",
            "https://example.com/,          https://example.com",
            "https://example.com/x,         https://example.com/x/",
    })
    void noOtherSpellingOfTheUrlIsAccepted(String checked, String signed) {
        assertThat(signature.validForm(checked, Map.of(), base64Hmac(KEY, signed))).isFalse();
    }

    @Test
    void userInfoInTheUrlIsPartOfWhatIsSigned() {
        String withUser = "https://user:p%40ss@example.com/cb";

        assertThat(signature.validForm(withUser, Map.of(), base64Hmac(KEY, withUser))).isTrue();
        assertThat(signature.validForm(withUser, Map.of(), base64Hmac(KEY, "https://example.com/cb"))).isFalse();
        assertThat(signature.validForm("https://example.com/cb", Map.of(), base64Hmac(KEY, withUser))).isFalse();
    }

    // ---- the URL's text is used as written ----------------------------------------------------------

    @Test
    void aQueryWithAnApostropheAndAPlusIsSignedExactlyAsWritten() {
        String url = "https://example.com/cb?name=O'Brien&to=+15551230000&q=a+b";

        assertThat(signature.validForm(url, Map.of(), base64Hmac(KEY, url))).isTrue();
        assertThat(signature.validForm(url, Map.of(),
                base64Hmac(KEY, "https://example.com/cb?name=O%27Brien&to=+15551230000&q=a+b"))).isFalse();
        assertThat(signature.validForm(url, Map.of(),
                base64Hmac(KEY, "https://example.com/cb?name=O'Brien&to=%2B15551230000&q=a+b"))).isFalse();
        assertThat(signature.validForm(url, Map.of(),
                base64Hmac(KEY, "https://example.com/cb?name=O'Brien&to= 15551230000&q=a b"))).isFalse();
    }

    @Test
    void aNonAsciiUrlIsSignedAsItsUtf8BytesAndPortVariantsStillApply() {
        String url = "https://bücher.example/événements/回调?name=Zoë";
        Map<String, List<String>> params = form("Caller", "José");

        assertThat(signature.validForm(url, params, base64Hmac(KEY, url + "CallerJosé"))).isTrue();
        assertThat(signature.validForm(url, params,
                base64Hmac(KEY, "https://bücher.example:443/événements/回调?name=Zoë" + "CallerJosé"))).isTrue();
        assertThat(signature.validForm(url, params,
                base64Hmac(KEY, "https://b%C3%BCcher.example/%C3%A9v%C3%A9nements/%E5%9B%9E%E8%B0%83?name=Zo%C3%AB"
                        + "CallerJosé"))).isFalse();
    }

    // ---- keys ----------------------------------------------------------------------------------

    @Test
    void aSignatureMadeWithAPreviousKeyIsValidOnlyWhileThatKeyIsListed() {
        Map<String, List<String>> params = form("RecordingStatus", "completed");
        String byOldKey = base64Hmac(OLD_KEY, URL + "RecordingStatuscompleted");

        assertThat(WebhookSignature.of(KEY, OLD_KEY).validForm(URL, params, byOldKey)).isTrue();
        assertThat(WebhookSignature.of(KEY).validForm(URL, params, byOldKey)).isFalse();
        assertThat(WebhookSignature.of(KEY, OLD_KEY).validForm(URL, params,
                base64Hmac(KEY, URL + "RecordingStatuscompleted"))).isTrue();
        assertThat(WebhookSignature.of(KEY, OLD_KEY).validBody(URL, "{}".getBytes(StandardCharsets.UTF_8),
                hexHmac(OLD_KEY, URL, "{}".getBytes(StandardCharsets.UTF_8)))).isTrue();
    }

    @Test
    void aSignatureMadeWithAnotherKeyIsNotValid() {
        Map<String, List<String>> params = form("RecordingStatus", "completed");

        assertThat(signature.validForm(URL, params, base64Hmac("another key", URL + "RecordingStatuscompleted"))).isFalse();
        assertThat(signature.validForm(URL, params, base64Hmac(KEY.toUpperCase(), URL + "RecordingStatuscompleted")))
                .isFalse();
    }

    @Test
    void theKeyIsUsedAsItsUtf8Bytes() {
        String key = "clé-ü-回";
        assertThat(WebhookSignature.of(key).validForm(URL, Map.of(), base64Hmac(key, URL))).isTrue();
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @NullAndEmptySource
    void aMissingOrEmptySignatureIsNeverValid(String missing) {
        assertThat(signature.validForm(URL, Map.of(), missing)).isFalse();
        assertThat(signature.validBody(URL, new byte[0], missing)).isFalse();
        assertThat(signature.validBody(URL + "?bodySHA256=" + sha256Hex(new byte[0]), new byte[0], missing)).isFalse();
    }

    @Test
    void garbageOrTruncatedSignaturesAreNotValid() {
        String good = base64Hmac(KEY, URL);
        assertThat(signature.validForm(URL, Map.of(), good.substring(0, good.length() - 1))).isFalse();
        assertThat(signature.validForm(URL, Map.of(), good + "=")).isFalse();
        assertThat(signature.validForm(URL, Map.of(), " " + good)).isFalse();
        assertThat(signature.validForm(URL, Map.of(), "not a signature")).isFalse();
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @NullAndEmptySource
    void aNullOrEmptyKeyIsRefusedWithoutShowingIt(String bad) {
        assertThatThrownBy(() -> WebhookSignature.of(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("signingKey must not be null or empty");
        assertThatThrownBy(() -> WebhookSignature.of(KEY, OLD_KEY, bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("previousKeys[1] must not be null or empty");
    }

    @Test
    void toStringShowsHowManyKeysAndNeverAKey() {
        WebhookSignature two = WebhookSignature.of(KEY, OLD_KEY);

        assertThat(two.toString()).isEqualTo("WebhookSignature[keys=2]").doesNotContain(KEY).doesNotContain(OLD_KEY);
        assertThat(signature.toString()).isEqualTo("WebhookSignature[keys=1]");
    }

    @Test
    void aNullUrlParamsOrBodyIsAProgrammingError() {
        assertThatThrownBy(() -> signature.validForm(null, Map.of(), "x")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> signature.validForm(URL, null, "x")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> signature.validBody(URL, null, "x")).isInstanceOf(NullPointerException.class);
    }

    // ---- JSON: SignalWire's newer scheme -------------------------------------------------------------

    @Test
    void aJsonBodyIsSignedAsLowercaseHexOverTheUrlFollowedByTheRawBody() {
        byte[] body = "{\"RecordingSid\":\"b3877c40\",\"status\":\"completed\",\"name\":\"Zoë\"}"
                .getBytes(StandardCharsets.UTF_8);
        String hex = hexHmac(KEY, URL, body);

        assertThat(signature.validBody(URL, body, hex)).isTrue();
        assertThat(signature.validBody(URL, body, hex.toUpperCase())).isFalse();
        assertThat(signature.validBody(URL, body, Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex))))
                .isFalse();
    }

    @Test
    void aJsonBodyChangedAfterSigningIsNotValid() {
        byte[] body = "{\"status\":\"completed\"}".getBytes(StandardCharsets.UTF_8);
        String hex = hexHmac(KEY, URL, body);
        byte[] changed = body.clone();
        changed[changed.length - 3] ^= 1;

        assertThat(signature.validBody(URL, changed, hex)).isFalse();
        assertThat(signature.validBody(URL, "{\"status\":\"completed\"} ".getBytes(StandardCharsets.UTF_8), hex)).isFalse();
    }

    @Test
    void theNewerSchemeIsTriedWithPortVariantsAndUserInfoToo() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);

        assertThat(signature.validBody("https://example.com/cb", body, hexHmac(KEY, "https://example.com:443/cb", body)))
                .isTrue();
        assertThat(signature.validBody("https://u:p@example.com:8443/cb", body,
                hexHmac(KEY, "https://u:p@example.com/cb", body))).isTrue();
        assertThat(signature.validBody("https://u:p@example.com:8443/cb", body,
                hexHmac(KEY, "https://example.com/cb", body))).isFalse();
    }

    @Test
    void aBodyThatIsNotUtf8IsHashedAsItsRawBytes() {
        byte[] body = {(byte) 0xff, 0x00, (byte) 0xc3, 0x28};

        assertThat(signature.validBody(URL, body, hexHmac(KEY, URL, body))).isTrue();
    }

    // ---- JSON with bodySHA256 --------------------------------------------------------------------

    @Test
    void withBodySha256TheSignatureCoversTheUrlAloneAndTheHashCoversTheBody() {
        byte[] body = "{\"CallSid\":\"CA1234567890ABCDE\",\"Caller\":\"+12349013030\"}".getBytes(StandardCharsets.UTF_8);
        String url = URL + "?bodySHA256=" + sha256Hex(body);

        assertThat(signature.validBody(url, body, base64Hmac(KEY, url))).isTrue();
        assertThat(signature.validBody(url.replace("https://example.com", "https://example.com:443"), body,
                base64Hmac(KEY, url))).isTrue();
    }

    @Test
    void withBodySha256ABodyChangedAfterSigningIsNotValid() {
        byte[] body = "{\"status\":\"completed\"}".getBytes(StandardCharsets.UTF_8);
        String url = URL + "?bodySHA256=" + sha256Hex(body);
        byte[] changed = "{\"status\":\"completeD\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(signature.validBody(url, changed, base64Hmac(KEY, url))).isFalse();
    }

    @Test
    void withBodySha256ACorrectlySignedUrlWhoseHashIsNotTheBodysIsNotValid() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        String url = URL + "?bodySHA256=" + sha256Hex("{ }".getBytes(StandardCharsets.UTF_8));

        assertThat(signature.validBody(url, body, base64Hmac(KEY, url))).isFalse();
        String notHex = URL + "?bodySHA256=zz";
        assertThat(signature.validBody(notHex, body, base64Hmac(KEY, notHex))).isFalse();
    }

    @Test
    void withBodySha256TheHashMayBeWrittenInEitherCaseAndTheFirstOneCounts() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        String upper = URL + "?a=1&bodySHA256=" + sha256Hex(body).toUpperCase() + "#frag";
        assertThat(signature.validBody(upper, body, base64Hmac(KEY, upper))).isTrue();

        String twice = URL + "?bodySHA256=" + sha256Hex("x".getBytes(StandardCharsets.UTF_8)) + "&bodySHA256="
                + sha256Hex(body);
        assertThat(signature.validBody(twice, body, base64Hmac(KEY, twice))).isFalse();
    }

    @Test
    void withoutBodySha256ASignatureOverTheUrlAloneDoesNotVouchForABody() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);

        assertThat(signature.validBody(URL, body, base64Hmac(KEY, URL))).isFalse();
    }

    // ---- concurrency ---------------------------------------------------------------------------

    @Test
    void oneInstanceChecksCorrectlyFromManyThreadsAtOnce() throws Exception {
        WebhookSignature shared = WebhookSignature.of(KEY, OLD_KEY);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                int n = i;
                results.add(pool.submit(() -> {
                    Map<String, List<String>> params = form("RecordingSid", "sid-" + n, "Digits", "" + (n % 7));
                    String data = URL + "Digits" + (n % 7) + "RecordingSid" + "sid-" + n;
                    String key = n % 2 == 0 ? KEY : OLD_KEY;
                    boolean genuine = shared.validForm(URL, params, base64Hmac(key, data));
                    boolean forged = shared.validForm(URL, params, base64Hmac("forger", data));
                    return genuine && !forged;
                }));
            }
            for (Future<Boolean> r : results) {
                assertThat(r.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
