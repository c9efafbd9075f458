package dev.laml.recordings.protocol;

import dev.laml.recordings.UnexpectedResponseException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.laml.recordings.TestData.ACCOUNT_SID;
import static dev.laml.recordings.TestData.BASIC_B64;
import static dev.laml.recordings.TestData.RECORDING_SID;
import static dev.laml.recordings.TestData.TOKEN;
import static dev.laml.recordings.TestData.credentials;
import static dev.laml.recordings.TestData.headers;
import static dev.laml.recordings.TestData.noHeaders;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("RecordingsProtocol.redirect: which redirects are followed, and with what")
class RedirectTest {

    private static final String ORIGIN = "https://example.signalwire.com";
    private static final String JSON_PATH =
            "/api/laml/2010-04-01/Accounts/" + ACCOUNT_SID + "/Recordings/" + RECORDING_SID + ".json";

    private final RecordingsProtocol protocol = RecordingsProtocol.builder(ApiEndpoint.forSpace("example"))
            .credentials(credentials()).sendCredentialsToMedia(true).build();
    /** An authenticated metadata request on the endpoint's origin. */
    private final ApiRequest fetch = protocol.fetch(ACCOUNT_SID, RECORDING_SID);

    /** One hop as an adapter makes it: the chain so far is the request's own URI. */
    private static ApiRequest follow(RecordingsProtocol p, ApiRequest request, int status, String location) {
        return p.redirect(request, status, headers("Location", location), new ArrayList<>(List.of(request.uri())));
    }

    private ApiRequest follow(ApiRequest request, String location) {
        return follow(protocol, request, 302, location);
    }

    private static UnexpectedResponseException refused(Runnable hop) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(hop::run);
        assertThat(t).isExactlyInstanceOf(UnexpectedResponseException.class);
        return (UnexpectedResponseException) t;
    }

    @Nested
    @DisplayName("isRedirect")
    class IsRedirect {

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(ints = {301, 302, 303, 307, 308})
        void theFiveRedirectStatusesAreFollowed(int status) {
            assertThat(protocol.isRedirect(status)).isTrue();
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(ints = {200, 204, 206, 299, 300, 304, 305, 306, 309, 399, 400, 404, 500})
        void noOtherStatusIs(int status) {
            assertThat(protocol.isRedirect(status)).isFalse();
        }

        @Test
        void atMostFiveHopsAreFollowed() {
            assertThat(RecordingsProtocol.MAX_REDIRECTS).isEqualTo(5);
        }
    }

    @Nested
    @DisplayName("where a Location points")
    class Resolution {

        private final ApiRequest media = protocol.media(URI.create(ORIGIN + "/a/b/c.wav?q=1"));

        @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
        @CsvSource(delimiter = '|', value = {
                "d.wav                                          | https://example.signalwire.com/a/b/d.wav",
                "./d.wav                                        | https://example.signalwire.com/a/b/d.wav",
                "../d.wav                                       | https://example.signalwire.com/a/d.wav",
                "/x/y.wav                                       | https://example.signalwire.com/x/y.wav",
                "d.wav?sig=1                                    | https://example.signalwire.com/a/b/d.wav?sig=1",
                "?q=2                                           | https://example.signalwire.com/a/b/c.wav?q=2",
                "../../../../y.wav                              | https://example.signalwire.com/y.wav",
                "//cdn.example/y.wav                            | https://cdn.example/y.wav",
                "https://cdn.example/y.wav?sig=abc              | https://cdn.example/y.wav?sig=abc",
                "'  /x/y.wav  '                                 | https://example.signalwire.com/x/y.wav",
        })
        void relativeAndAbsoluteLocationsResolveAgainstTheCurrentRequestAsRfc3986Says(
                String location, String expected) {
            assertThat(follow(media, location).uri()).isEqualTo(URI.create(expected));
        }

        @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
        @CsvSource(delimiter = '|', value = {
                "/x/y.wav#t=10                                  | https://example.signalwire.com/x/y.wav",
                "d.wav?sig=1#frag                               | https://example.signalwire.com/a/b/d.wav?sig=1",
                "https://cdn.example/y.wav#                     | https://cdn.example/y.wav",
                "https://cdn.example/a%20b.wav?sig=a%2Fb%3D#t=1 | https://cdn.example/a%20b.wav?sig=a%2Fb%3D",
                "/p%C3%A4th/%23x.wav#frag                       | https://example.signalwire.com/p%C3%A4th/%23x.wav",
        })
        void aFragmentIsStrippedAndEscapesAreKeptExactlyAsSent(String location, String expected) {
            URI target = follow(media, location).uri();
            assertThat(target.toString()).isEqualTo(expected);
            assertThat(target.getRawFragment()).isNull();
        }

        @Test
        void aRelativeLocationResolvesAgainstThePreviousHopNotTheFirstRequest() {
            ApiRequest first = follow(media, "/x/y/z.wav");
            ApiRequest second = follow(first, "w.wav");
            assertThat(second.uri()).isEqualTo(URI.create(ORIGIN + "/x/y/w.wav"));
        }

        @Test
        void methodKindAndOtherHeadersAreKept() {
            Map<String, String> before = media.headers();
            ApiRequest next = follow(media, "https://cdn.example/y.wav");

            assertThat(next.method()).isEqualTo("GET");
            assertThat(next.kind()).isEqualTo(ApiRequest.Kind.MEDIA);
            assertThat(next.headers()).containsEntry("Accept", before.get("Accept"))
                    .containsEntry("User-Agent", before.get("User-Agent"));
            ApiRequest ranged = protocol.resumeFrom(media, 100, "\"v1\"");
            assertThat(follow(ranged, "/moved.wav").headers())
                    .containsEntry("Range", "bytes=100-").containsEntry("If-Range", "\"v1\"");
        }

        @Test
        void theRequestItCameFromIsLeftUnchanged() {
            follow(fetch, "https://cdn.example/y.wav");
            assertThat(fetch.uri()).isEqualTo(URI.create(ORIGIN + JSON_PATH));
            assertThat(fetch.isAuthenticated()).isTrue();
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(ints = {301, 302, 303, 307, 308})
        void everyRedirectStatusIsFollowedAlike(int status) {
            assertThat(follow(protocol, media, status, "/x.wav").uri()).isEqualTo(URI.create(ORIGIN + "/x.wav"));
        }
    }

    @Nested
    @DisplayName("credentials")
    class Credentials {

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"/other/path.json", "other.json", "../x.json", "?page=2",
                "https://example.signalwire.com/x", "https://example.signalwire.com:443/x",
                "https://EXAMPLE.SignalWire.com/x", "HTTPS://example.signalwire.com/x",
                "//example.signalwire.com/x", "https://example.signalwire.com/x#frag"})
        void areKeptOnTheSameSchemeHostAndPort(String location) {
            ApiRequest next = follow(fetch, location);
            assertThat(next.isAuthenticated()).isTrue();
            assertThat(next.headers()).containsEntry("Authorization", fetch.headers().get("Authorization"));
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"https://example.signalwire.com:8443/x", "https://other.signalwire.com/x",
                "https://example.signalwire.com.evil.com/x", "https://signalwire.com/x", "//cdn.example/x",
                "https://s3.amazonaws.com/example.signalwire.com/x.wav", "https://127.0.0.1/x"})
        void areDroppedForAnotherHostOrPort(String location) {
            ApiRequest next = follow(fetch, location);
            assertThat(next.isAuthenticated()).isFalse();
            assertThat(next.headers()).doesNotContainKey("Authorization")
                    .containsEntry("Accept", fetch.headers().get("Accept"));
        }

        @ParameterizedTest(name = "[{index}] {0} -> {1}: kept {2}")
        @CsvSource({
                "http://localhost:8080,  http://localhost:8080/x,   true",
                "http://localhost:8080,  /x,                        true",
                "http://localhost:8080,  https://localhost:8080/x,  false",
                "http://localhost:8080,  http://localhost/x,        false",
                "http://localhost:8080,  http://127.0.0.1:8080/x,   false",
                "http://localhost,       http://localhost:80/x,     true",
                "https://localhost,      https://localhost:443/x,   true",
                "https://localhost,      https://localhost:80/x,    false",
        })
        void followTheOriginOnLoopbackToo(String base, String location, boolean kept) {
            RecordingsProtocol local = RecordingsProtocol.builder(ApiEndpoint.of(URI.create(base), false))
                    .credentials(credentials()).build();
            ApiRequest request = local.fetch(ACCOUNT_SID, RECORDING_SID);
            assertThat(request.isAuthenticated()).isTrue();
            assertThat(follow(local, request, 307, location).isAuthenticated()).isEqualTo(kept);
        }

        @Test
        void onceDroppedNeverComeBackOnALaterHopToTheOriginalOrigin() {
            List<URI> visited = new ArrayList<>(List.of(fetch.uri()));
            ApiRequest a = protocol.redirect(fetch, 302, headers("Location", "/moved.json"), visited);
            visited.add(a.uri());
            ApiRequest b = protocol.redirect(a, 302, headers("Location", "https://cdn.example/x.json"), visited);
            visited.add(b.uri());
            ApiRequest back = protocol.redirect(b, 302, headers("Location", ORIGIN + "/back.json"), visited);
            visited.add(back.uri());
            ApiRequest relative = protocol.redirect(back, 302, headers("Location", "again.json"), visited);

            assertThat(a.isAuthenticated()).as("same origin").isTrue();
            assertThat(b.isAuthenticated()).as("other host").isFalse();
            assertThat(back.uri()).isEqualTo(URI.create(ORIGIN + "/back.json"));
            assertThat(back.isAuthenticated()).as("back on the original origin").isFalse();
            assertThat(relative.isAuthenticated()).as("and on the hop after").isFalse();
        }

        @Test
        void anAnonymousRequestGainsNoneOnReachingTheEndpointOrigin() {
            ApiRequest cdn = protocol.media(URI.create("https://cdn.example/x.wav"));
            assertThat(cdn.isAuthenticated()).isFalse();
            assertThat(follow(cdn, ORIGIN + "/x.wav").isAuthenticated()).isFalse();
        }
    }

    @Nested
    @DisplayName("redirects that are refused")
    class Refused {

        private void assertRefusal(UnexpectedResponseException e, ApiRequest request, int status, String why) {
            assertThat(e.httpStatus()).isEqualTo(status);
            assertThat(e.getMessage())
                    .contains(request.describe(), "HTTP " + status, "redirect was not followed", why)
                    .doesNotContain(TOKEN, BASIC_B64, "Basic ", "\r", "\n");
        }

        @ParameterizedTest(name = "[{index}] \"{0}\"")
        @NullSource
        @ValueSource(strings = {"", "   "})
        void aMissingOrBlankLocation(String location) {
            HeaderLookup h = location == null ? noHeaders() : headers("Location", location);
            UnexpectedResponseException e = refused(() -> protocol.redirect(fetch, 302, h, List.of(fetch.uri())));
            assertRefusal(e, fetch, 302, "no Location header");
        }

        @ParameterizedTest(name = "[{index}] \"{0}\"")
        @ValueSource(strings = {"/a b.wav", "https://[not-an-ip/x", "https://cdn.example/%zz", "/x\u0000y",
                "https://cdn.example/x|y"})
        void anUnreadableLocation(String location) {
            assertRefusal(refused(() -> follow(protocol, fetch, 301, location)), fetch, 301, "unreadable Location");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"http://example.signalwire.com/x", "http://cdn.example/x", "HTTP://cdn.example/x",
                "http://localhost/x", "http://127.0.0.1:8080/x"})
        void aDowngradeFromHttpsToHttpEvenToLoopback(String location) {
            assertRefusal(refused(() -> follow(fetch, location)), fetch, 302, "downgrade from https to http");
        }

        @Test
        void aDowngradeEvenWhenInsecureHttpIsAllowed() {
            RecordingsProtocol insecure = RecordingsProtocol.builder(ApiEndpoint.of(URI.create("https://api.example"), true))
                    .build();
            ApiRequest request = insecure.fetch(ACCOUNT_SID, RECORDING_SID);
            assertRefusal(refused(() -> follow(insecure, request, 302, "http://api.example/x")), request, 302,
                    "downgrade from https to http");
        }

        @ParameterizedTest(name = "[{index}] {0} -> {1}: allowInsecureHttp {2}")
        @CsvSource({
                "http://localhost:8080, http://cdn.example/x,  false, false",
                "http://localhost:8080, http://10.0.0.1/x,     false, false",
                "http://localhost:8080, http://127.0.0.2/x,    false, true",
                "http://localhost:8080, https://cdn.example/x, false, true",
                "http://api.example,    http://cdn.example/x,  true,  true",
        })
        void plainHttpToARemoteHostOnlyWhenTheEndpointAllowsIt(String base, String location,
                boolean allowInsecureHttp, boolean followed) {
            RecordingsProtocol p = RecordingsProtocol.builder(ApiEndpoint.of(URI.create(base), allowInsecureHttp)).build();
            ApiRequest request = p.fetch(ACCOUNT_SID, RECORDING_SID);
            if (followed) {
                assertThat(follow(p, request, 302, location).uri()).isEqualTo(URI.create(location));
            } else {
                assertRefusal(refused(() -> follow(p, request, 302, location)), request, 302, "must use https");
            }
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"https://user:pw@cdn.example/x", "https://user:pw@example.signalwire.com/x",
                "//user:pw@cdn.example/x", "https://user:pw@bad_host.example/x"})
        void aTargetWithUserInfoWithoutEchoingIt(String location) {
            UnexpectedResponseException e = refused(() -> follow(fetch, location));
            assertRefusal(e, fetch, 302, "refuses");
            assertThat(e.getMessage()).doesNotContain("pw", "user:");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"ftp://cdn.example/x.wav", "file:///etc/passwd", "mailto:x@example.com",
                "javascript:alert(1)", "https:///x", "https://bad_host.example/x"})
        void aTargetThatIsNotAnHttpUrlWithAHost(String location) {
            assertRefusal(refused(() -> follow(fetch, location)), fetch, 302, "refuses");
        }

        /**
         * java.net.URI takes any digits for a port; a socket does not, and threw an IllegalArgumentException at
         * connect time (found by the adapter's SocketFuzzTest; FuzzRegressionsTest there).
         */
        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"https://example.signalwire.com:99999/x", "https://cdn.example:65536/x",
                "https://cdn.example:0/x", "//example.signalwire.com:2147483647/x"})
        void aTargetWhosePortNoSocketCanReach(String location) {
            assertRefusal(refused(() -> follow(fetch, location)), fetch, 302, "port from 1 to 65535");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"http://cdn.example/x.wav?sig=SECRETSIG", "https://user:pw@cdn.example/x?sig=SECRETSIG",
                "https://bad_host.example/x?sig=SECRETSIG", "https:///x?sig=SECRETSIG",
                "ftp://cdn.example/x?sig=SECRETSIG", "/a b?sig=SECRETSIG"})
        void withoutEchoingTheQueryStringOfTheLocation(String location) {
            assertThat(refused(() -> follow(fetch, location)).getMessage()).doesNotContain("SECRETSIG");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {JSON_PATH, ORIGIN + JSON_PATH, ORIGIN + JSON_PATH + "#frag", "/first.json",
                "https://example.signalwire.com/first.json", "/second.json"})
        void aLoopBackToAnyUriAlreadyRequestedTwice(String location) {
            List<URI> twice = List.of(fetch.uri(), URI.create(ORIGIN + "/first.json"),
                    URI.create(ORIGIN + "/second.json"), fetch.uri(), URI.create(ORIGIN + "/first.json"),
                    URI.create(ORIGIN + "/second.json"));
            UnexpectedResponseException e = refused(
                    () -> protocol.redirect(fetch, 302, headers("Location", location), twice));
            assertRefusal(e, fetch, 302, "loop");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {JSON_PATH, "/first.json"})
        void butOneRevisitIsFollowed(String location) {
            List<URI> once = List.of(fetch.uri(), URI.create(ORIGIN + "/first.json"));
            assertThat(protocol.redirect(fetch, 302, headers("Location", location), once).uri())
                    .isEqualTo(URI.create(ORIGIN + location));
        }

        @Test
        void aSixthHopWhileFiveAreFollowed() {
            ApiRequest request = fetch;
            List<URI> visited = new ArrayList<>(List.of(request.uri()));
            for (int hop = 1; hop <= RecordingsProtocol.MAX_REDIRECTS; hop++) {
                request = protocol.redirect(request, 302, headers("Location", "/hop" + hop + ".json"), visited);
                assertThat(request.uri()).isEqualTo(URI.create(ORIGIN + "/hop" + hop + ".json"));
                visited.add(request.uri());
            }
            ApiRequest fifth = request;
            assertThat(visited).hasSize(RecordingsProtocol.MAX_REDIRECTS + 1);

            UnexpectedResponseException e = refused(
                    () -> protocol.redirect(fifth, 308, headers("Location", "/hop6.json"), visited));
            assertRefusal(e, fifth, 308, "more than 5 redirects");
        }
    }
}
