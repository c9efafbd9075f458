package dev.laml.recordings.protocol;

import dev.laml.recordings.UnexpectedResponseException;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Redirects for {@link RecordingsProtocol}: which statuses are followed, and the request that follows one. It owns
 * the rules that keep a chain of redirects safe: credentials dropped on any change of origin (and never restored),
 * no downgrade from https to http, no target the endpoint would refuse as a media URL, no loop, at most
 * {@link RecordingsProtocol#MAX_REDIRECTS} hops, and a {@code Location} resolved as RFC 3986 says rather than as
 * {@link URI#resolve} does.
 *
 * <p>Apart from the request side because a redirect is an answer that writes the next request: the rules compare
 * two origins, not ids and headers. Immutable and thread-safe.
 */
final class Redirects {

    private final ApiEndpoint endpoint;

    Redirects(ApiEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /** See {@link RecordingsProtocol#isRedirect}. */
    static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** See {@link RecordingsProtocol#redirect}. */
    ApiRequest redirect(ApiRequest request, int status, HeaderLookup headers, List<URI> visited) {
        String location = headers.get("Location");
        if (location == null || location.isBlank()) {
            throw redirectRefused(request, status, "no Location header");
        }
        URI target;
        try {
            target = resolveLocation(request.uri(), new URI(location.trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw redirectRefused(request, status, "an unreadable Location");
        }
        // One revisit is allowed (a redirect to the same URL can set state, and an emulator's
        // "redirect to self" is answered properly the second time); a third visit is a loop.
        if (Collections.frequency(visited, target) >= 2) {
            throw redirectRefused(request, status, "a redirect loop back to " + target.getRawPath());
        }
        if (visited.size() > RecordingsProtocol.MAX_REDIRECTS) {
            throw redirectRefused(request, status, "more than " + RecordingsProtocol.MAX_REDIRECTS + " redirects");
        }
        if ("https".equalsIgnoreCase(request.uri().getScheme()) && "http".equalsIgnoreCase(target.getScheme())) {
            throw redirectRefused(request, status, "a downgrade from https to http");
        }
        try {
            // Checked without its query, so that a refusal never echoes a signed URL's signature.
            String t = target.toString();
            URI withoutQuery = target.getRawQuery() == null ? target : URI.create(t.substring(0, t.indexOf('?')));
            ApiEndpoint.checkOrigin("redirect target", withoutQuery, endpoint.isInsecureHttpAllowed());
        } catch (IllegalArgumentException e) {
            throw redirectRefused(request, status, "a target this client refuses (" + e.getMessage() + ")");
        }
        Map<String, String> next = new LinkedHashMap<>(request.headers());
        if (!ApiEndpoint.sameOrigin(request.uri(), target)) {
            next.remove(RecordingsProtocol.AUTHORIZATION);
        }
        return request.with(target, next);
    }

    /**
     * Resolves a {@code Location} as RFC 3986 §5.2 says, without its fragment. {@link URI#resolve}
     * follows RFC 2396, which drops the last path segment for a query-only reference ({@code ?q})
     * and keeps {@code ..} segments that climb above the root; rebuilding a URI from decoded
     * components would encode its escapes a second time, so the result is assembled from raw ones.
     */
    private static URI resolveLocation(URI base, URI reference) {
        URI resolved = base.resolve(reference);
        if (resolved.isOpaque() || resolved.getRawAuthority() == null) {
            String s = resolved.toString();
            return resolved.getRawFragment() == null ? resolved : URI.create(s.substring(0, s.indexOf('#')));
        }
        String path = resolved.getRawPath() == null ? "" : resolved.getRawPath();
        if (reference.getScheme() == null && reference.getRawAuthority() == null
                && "".equals(reference.getRawPath()) && reference.getRawQuery() != null) {
            path = base.getRawPath() == null ? "" : base.getRawPath();
        }
        while (path.startsWith("/../") || path.equals("/..")) {
            path = path.length() == 3 ? "/" : path.substring(3);
        }
        return URI.create(resolved.getScheme() + "://" + resolved.getRawAuthority() + path
                + (resolved.getRawQuery() == null ? "" : "?" + resolved.getRawQuery()));
    }

    private static UnexpectedResponseException redirectRefused(ApiRequest request, int status, String why) {
        return new UnexpectedResponseException(request.describe() + " answered HTTP " + status
                + " and the redirect was not followed: " + why, status, null, null, null);
    }
}
