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
        void the_five_redirect_statuses_are_followed(int status) {
            assertThat(protocol.isRedirect(status)).isTrue();
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(ints = {200, 204, 206, 299, 300, 304, 305, 306, 309, 399, 400, 404, 500})
        void no_other_status_is(int status) {
            assertThat(protocol.isRedirect(status)).isFalse();
        }

        @Test
        void at_most_five_hops_are_followed() {
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
        void relative_and_absolute_locations_resolve_against_the_current_request_as_rfc_3986_says(
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
        void a_fragment_is_stripped_and_escapes_are_kept_exactly_as_sent(String location, String expected) {
            URI target = follow(media, location).uri();
            assertThat(target.toString()).isEqualTo(expected);
            assertThat(target.getRawFragment()).isNull();
        }

        @Test
        void a_relative_location_resolves_against_the_previous_hop_not_the_first_request() {
            ApiRequest first = follow(media, "/x/y/z.wav");
            ApiRequest second = follow(first, "w.wav");
            assertThat(second.uri()).isEqualTo(URI.create(ORIGIN + "/x/y/w.wav"));
        }

        @Test
        void method_kind_and_other_headers_are_kept() {
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
        void the_request_it_came_from_is_left_unchanged() {
            follow(fetch, "https://cdn.example/y.wav");
            assertThat(fetch.uri()).isEqualTo(URI.create(ORIGIN + JSON_PATH));
            assertThat(fetch.isAuthenticated()).isTrue();
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(ints = {301, 302, 303, 307, 308})
        void every_redirect_status_is_followed_alike(int status) {
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
        void are_kept_on_the_same_scheme_host_and_port(String location) {
            ApiRequest next = follow(fetch, location);
            assertThat(next.isAuthenticated()).isTrue();
            assertThat(next.headers()).containsEntry("Authorization", fetch.headers().get("Authorization"));
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"https://example.signalwire.com:8443/x", "https://other.signalwire.com/x",
                "https://example.signalwire.com.evil.com/x", "https://signalwire.com/x", "//cdn.example/x",
                "https://s3.amazonaws.com/example.signalwire.com/x.wav", "https://127.0.0.1/x"})
        void are_dropped_for_another_host_or_port(String location) {
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
        void follow_the_origin_on_loopback_too(String base, String location, boolean kept) {
            RecordingsProtocol local = RecordingsProtocol.builder(ApiEndpoint.of(URI.create(base), false))
                    .credentials(credentials()).build();
            ApiRequest request = local.fetch(ACCOUNT_SID, RECORDING_SID);
            assertThat(request.isAuthenticated()).isTrue();
            assertThat(follow(local, request, 307, location).isAuthenticated()).isEqualTo(kept);
        }

        @Test
        void once_dropped_never_come_back_on_a_later_hop_to_the_original_origin() {
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
        void an_anonymous_request_gains_none_on_reaching_the_endpoint_origin() {
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
        void a_missing_or_blank_location(String location) {
            HeaderLookup h = location == null ? noHeaders() : headers("Location", location);
            UnexpectedResponseException e = refused(() -> protocol.redirect(fetch, 302, h, List.of(fetch.uri())));
            assertRefusal(e, fetch, 302, "no Location header");
        }

        @ParameterizedTest(name = "[{index}] \"{0}\"")
        @ValueSource(strings = {"/a b.wav", "https://[not-an-ip/x", "https://cdn.example/%zz", "/x\u0000y",
                "https://cdn.example/x|y"})
        void an_unreadable_location(String location) {
            assertRefusal(refused(() -> follow(protocol, fetch, 301, location)), fetch, 301, "unreadable Location");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"http://example.signalwire.com/x", "http://cdn.example/x", "HTTP://cdn.example/x",
                "http://localhost/x", "http://127.0.0.1:8080/x"})
        void a_downgrade_from_https_to_http_even_to_loopback(String location) {
            assertRefusal(refused(() -> follow(fetch, location)), fetch, 302, "downgrade from https to http");
        }

        @Test
        void a_downgrade_even_when_insecure_http_is_allowed() {
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
        void plain_http_to_a_remote_host_only_when_the_endpoint_allows_it(String base, String location,
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
        void a_target_with_user_info_without_echoing_it(String location) {
            UnexpectedResponseException e = refused(() -> follow(fetch, location));
            assertRefusal(e, fetch, 302, "refuses");
            assertThat(e.getMessage()).doesNotContain("pw", "user:");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"ftp://cdn.example/x.wav", "file:///etc/passwd", "mailto:x@example.com",
                "javascript:alert(1)", "https:///x", "https://bad_host.example/x"})
        void a_target_that_is_not_an_http_url_with_a_host(String location) {
            assertRefusal(refused(() -> follow(fetch, location)), fetch, 302, "refuses");
        }

        /**
         * java.net.URI takes any digits for a port; a socket does not, and threw an IllegalArgumentException at
         * connect time (found by the adapter's SocketFuzzTest; FuzzRegressionsTest there).
         */
        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"https://example.signalwire.com:99999/x", "https://cdn.example:65536/x",
                "https://cdn.example:0/x", "//example.signalwire.com:2147483647/x"})
        void a_target_whose_port_no_socket_can_reach(String location) {
            assertRefusal(refused(() -> follow(fetch, location)), fetch, 302, "port from 1 to 65535");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"http://cdn.example/x.wav?sig=SECRETSIG", "https://user:pw@cdn.example/x?sig=SECRETSIG",
                "https://bad_host.example/x?sig=SECRETSIG", "https:///x?sig=SECRETSIG",
                "ftp://cdn.example/x?sig=SECRETSIG", "/a b?sig=SECRETSIG"})
        void without_echoing_the_query_string_of_the_location(String location) {
            assertThat(refused(() -> follow(fetch, location)).getMessage()).doesNotContain("SECRETSIG");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {JSON_PATH, ORIGIN + JSON_PATH, ORIGIN + JSON_PATH + "#frag", "/first.json",
                "https://example.signalwire.com/first.json", "/second.json"})
        void a_loop_back_to_any_uri_already_requested_twice(String location) {
            List<URI> twice = List.of(fetch.uri(), URI.create(ORIGIN + "/first.json"),
                    URI.create(ORIGIN + "/second.json"), fetch.uri(), URI.create(ORIGIN + "/first.json"),
                    URI.create(ORIGIN + "/second.json"));
            UnexpectedResponseException e = refused(
                    () -> protocol.redirect(fetch, 302, headers("Location", location), twice));
            assertRefusal(e, fetch, 302, "loop");
        }

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {JSON_PATH, "/first.json"})
        void but_one_revisit_is_followed(String location) {
            List<URI> once = List.of(fetch.uri(), URI.create(ORIGIN + "/first.json"));
            assertThat(protocol.redirect(fetch, 302, headers("Location", location), once).uri())
                    .isEqualTo(URI.create(ORIGIN + location));
        }

        @Test
        void a_sixth_hop_while_five_are_followed() {
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
