package dev.laml.recordings.webhooks;

import dev.laml.recordings.internal.SignedUrls;
import org.jspecify.annotations.Nullable;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checks the signature SignalWire puts on the webhooks it sends (header
 * {@code X-SignalWire-Signature}, or {@code X-Twilio-Signature} from the Twilio-compatible API),
 * such as the recording status callback.
 *
 * <pre>{@code
 * WebhookSignature signature = WebhookSignature.of(signingKey);          // or .of(newKey, oldKey)
 * boolean ok = signature.validForm("https://example.com/recordings/events", formFields, header);
 * }</pre>
 *
 * <h2>The schemes</h2>
 * Learned from SignalWire's public SDKs ({@code signalwire/compatibility-api-js}
 * {@code lib/webhooks/webhooks.js}; the {@code @signalwire} server SDK's {@code validateRequest};
 * the Ruby gem's {@code Signalwire::Webhook::ValidateRequest}, which falls back to twilio-ruby's
 * {@code RequestValidator}) and from Twilio's documented scheme, which the compatibility API
 * follows (twilio-node, twilio-python and twilio-ruby read side by side):
 * <ul>
 *   <li><b>Form</b> ({@link #validForm}): Base64 of HMAC-SHA1, keyed with the signing key's UTF-8
 *       bytes, over the URL followed by every parameter as name then value. Parameters are sorted
 *       by name with {@link String#compareTo} (UTF-16 code units, case-sensitive: {@code "B"} before
 *       {@code "a"}, as JavaScript's {@code Array.prototype.sort()} orders {@code Object.keys}, and
 *       as Python's and Ruby's sorts do for every name below U+D800). A repeated name contributes
 *       one name-value pair per value, in the order the values were sent: compatibility-api-js
 *       keeps the array the body parser built. twilio-node and twilio-python instead sort a
 *       repeated name's values (twilio-node also drops duplicate values), so when the values are
 *       not already in that order the sorted spelling (duplicates kept, as twilio-python does)
 *       is tried as well. A GET carries its
 *       parameters in the URL: check it with an empty map.</li>
 *   <li><b>JSON with {@code bodySHA256}</b> ({@link #validBody}): when the URL's query holds a
 *       {@code bodySHA256} parameter, the signature is the form scheme over the URL alone (no
 *       parameters), and the SHA-256 of the raw body, in hex, must equal that parameter (hex digits
 *       of either case; the first such parameter counts).</li>
 *   <li><b>JSON, SignalWire's newer scheme</b> ({@link #validBody}): lowercase hex of HMAC-SHA1
 *       over the URL's UTF-8 bytes followed by the raw body bytes, compared exactly as the SDKs do
 *       (an upper-case signature is not accepted).</li>
 * </ul>
 * Each scheme is tried with the URL as given, with the scheme's default port added when it names
 * none ({@code :443} for https, {@code :80} otherwise, as the SDKs add it), and with its port
 * removed: the SDKs say SignalWire's and Twilio's signing "is inconsistent" about ports, and check
 * both. A port that is the scheme's default ({@code https://host:443/x}) is thus also tried
 * without it, and a non-default one ({@code :8443}) removed, as compatibility-api-js's
 * {@code url-parse} and twilio-python's {@code urlparse} both produce. When the scheme or host
 * has upper-case letters, those spellings are also tried with both lower-cased, as the SDKs' URL
 * parsers lower-case them (DNS ignores case; user info, path and query keep theirs); and a URL
 * without a path ({@code https://host?x=1}) is also tried with the path {@code /}, which
 * {@code url-parse} and WHATWG {@code URL} add and {@code urlparse} does not. Otherwise the URL is used as text,
 * never re-encoded: user info ({@code https://user:pw@host/}) is part of what is signed, and so is
 * every {@code '}, {@code +} and non-ASCII character exactly as written.
 *
 * <p>The URL to pass is the public one SignalWire was given (scheme, host, port, path and query),
 * which behind a proxy or load balancer is not what the server sees; configure it rather than
 * rebuild it from {@code Host} or {@code X-Forwarded-*} headers a client controls.
 *
 * <p>Every comparison is constant-time ({@link MessageDigest#isEqual}); which spelling or key
 * matched is not revealed. A null or empty signature is never valid. What the SDKs do and this
 * class does not: the {@code @signalwire} server SDK, when the newer scheme fails, parses the
 * JSON body and checks its top-level members as form parameters; no SignalWire request is signed
 * that way for recordings, so this class does not parse bodies. {@code url-parse} re-encodes user
 * info (a raw {@code @} in a password becomes {@code %40}) and twilio-python's port removal cuts the
 * authority at its first {@code :}, losing a password; here user info is used as written. twilio-node
 * also tries the query re-encoded by Node's legacy {@code querystring}, undoing the percent-encoding its
 * WHATWG parser added; this class never encodes, so it needs no such spelling.
 *
 * <p>Immutable and thread-safe: one instance serves any number of threads. {@link #toString()}
 * shows how many keys it holds and never a key.
 */
public final class WebhookSignature {

    private static final String HMAC_SHA1 = "HmacSHA1";
    private static final HexFormat HEX = HexFormat.of();

    // One initialised Mac per key, never used directly: each check works on a clone (Mac is not
    // thread-safe, and cloning skips the key schedule that init() would redo every time).
    private final List<Mac> prototypes;

    private WebhookSignature(List<Mac> prototypes) {
        this.prototypes = prototypes;
    }

    /**
     * A checker for {@code signingKey}, also accepting signatures made with any of
     * {@code previousKeys} (during a key rotation: deploy with the new key first and the old one
     * as previous, rotate in SignalWire, then drop the old key).
     *
     * @param signingKey   the project's signing key, as SignalWire shows it; not null or empty
     * @param previousKeys keys still accepted; none may be null or empty
     * @throws IllegalArgumentException if a key is null or empty (the message never shows a key)
     */
    public static WebhookSignature of(String signingKey, String... previousKeys) {
        List<Mac> macs = new ArrayList<>(1 + (previousKeys == null ? 0 : previousKeys.length));
        macs.add(mac(signingKey, "signingKey"));
        if (previousKeys != null) {
            for (int i = 0; i < previousKeys.length; i++) {
                macs.add(mac(previousKeys[i], "previousKeys[" + i + "]"));
            }
        }
        return new WebhookSignature(List.copyOf(macs));
    }

    private static Mac mac(String key, String what) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be null or empty");
        }
        try {
            Mac mac = Mac.getInstance(HMAC_SHA1);
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), HMAC_SHA1));
            return mac;
        } catch (GeneralSecurityException e) {
            // Every Java SE runtime ships HmacSHA1; reaching this means a broken JDK.
            throw new IllegalStateException("HMAC-SHA1 is not available in this Java runtime", e);
        }
    }

    /**
     * Whether {@code signature} is valid for a form-encoded POST (or a GET, with an empty map)
     * to {@code url}.
     *
     * @param url       the public URL SignalWire requested, with its query; not null
     * @param params    the decoded form fields, each name with its values in the order sent (see
     *                  {@link FormFields#parse(byte[])}); not null; a null value list counts as empty
     * @param signature the header's value; null or empty gives false
     * @throws NullPointerException if {@code url} or {@code params} is null
     */
    public boolean validForm(String url, Map<String, List<String>> params, @Nullable String signature) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(params, "params");
        if (signature == null || signature.isEmpty()) {
            return false;
        }
        byte[] given = signature.getBytes(StandardCharsets.UTF_8);
        List<String> names = new ArrayList<>(params.keySet());
        names.removeIf(Objects::isNull);
        names.sort(null);
        boolean unsortedRepeats = hasUnsortedRepeats(names, params);
        List<String> urls = SignedUrls.variants(url);
        for (Mac prototype : prototypes) {
            for (String u : urls) {
                if (matches(formSignature(prototype, u, names, params, false), given)) {
                    return true;
                }
                if (unsortedRepeats && matches(formSignature(prototype, u, names, params, true), given)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether {@code signature} is valid for a request to {@code url} whose raw body is
     * {@code body} (JSON): SignalWire's newer scheme, or the {@code bodySHA256} scheme when the
     * URL's query carries that parameter.
     *
     * @param url       the public URL SignalWire requested, with its query; not null
     * @param body      the body exactly as received, before any parsing; not null
     * @param signature the header's value; null or empty gives false
     * @throws NullPointerException if {@code url} or {@code body} is null
     */
    public boolean validBody(String url, byte[] body, @Nullable String signature) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(body, "body");
        if (signature == null || signature.isEmpty()) {
            return false;
        }
        byte[] given = signature.getBytes(StandardCharsets.UTF_8);
        List<String> urls = SignedUrls.variants(url);
        for (Mac prototype : prototypes) {
            for (String u : urls) {
                Mac mac = copy(prototype);
                mac.update(u.getBytes(StandardCharsets.UTF_8));
                byte[] hex = HEX.formatHex(mac.doFinal(body)).getBytes(StandardCharsets.US_ASCII);
                if (matches(hex, given)) {
                    return true;
                }
            }
        }
        String bodyHash = SignedUrls.firstQueryValue(url, "bodySHA256");
        if (bodyHash == null || !bodyHashMatches(bodyHash, body)) {
            return false;
        }
        List<String> names = List.of();
        for (Mac prototype : prototypes) {
            for (String u : urls) {
                if (matches(formSignature(prototype, u, names, Map.of(), false), given)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean bodyHashMatches(String claimedHex, byte[] body) {
        byte[] claimed;
        try {
            claimed = HEX.parseHex(claimedHex);
        } catch (IllegalArgumentException notHex) {
            return false;
        }
        try {
            return MessageDigest.isEqual(MessageDigest.getInstance("SHA-256").digest(body), claimed);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this Java runtime", e);
        }
    }

    private static boolean hasUnsortedRepeats(List<String> names, Map<String, List<String>> params) {
        for (String name : names) {
            List<String> values = params.get(name);
            if (values != null && values.size() > 1) {
                for (int i = 1; i < values.size(); i++) {
                    String a = values.get(i - 1) == null ? "" : values.get(i - 1);
                    String b = values.get(i) == null ? "" : values.get(i);
                    if (a.compareTo(b) > 0) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static byte[] formSignature(Mac prototype, String url, List<String> names, Map<String, List<String>> params,
                                        boolean sortValues) {
        Mac mac = copy(prototype);
        mac.update(url.getBytes(StandardCharsets.UTF_8));
        for (String name : names) {
            List<String> values = params.get(name);
            if (values == null) {
                continue;
            }
            if (sortValues) {
                values = new ArrayList<>(values);
                values.replaceAll(v -> v == null ? "" : v);
                values.sort(null);
            }
            byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            for (String value : values) {
                mac.update(nameBytes);
                mac.update((value == null ? "" : value).getBytes(StandardCharsets.UTF_8));
            }
        }
        return Base64.getEncoder().encode(mac.doFinal());
    }

    private static Mac copy(Mac prototype) {
        try {
            return (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            // The JDK's HmacSHA1 supports clone(); a provider that does not cannot be used
            // concurrently either, so fail loudly rather than share one instance.
            throw new IllegalStateException("this Java runtime's HMAC-SHA1 cannot be copied", e);
        }
    }

    private static boolean matches(byte[] expected, byte[] given) {
        return MessageDigest.isEqual(expected, given);
    }

    /** {@code WebhookSignature[keys=2]}: how many keys are accepted, never a key. */
    @Override
    public String toString() {
        return "WebhookSignature[keys=" + prototypes.size() + "]";
    }
}
