package dev.laml.recordings.spring.internal;

import java.net.URI;
import java.net.URISyntaxException;

/** Shows a proxy URI without its password. Stateless and thread-safe. */
public final class ProxyUris {

    /** What stands in for a secret: the actuator's own marker, so that masked values look alike. */
    public static final String MASK = "******";

    private ProxyUris() {
    }

    /**
     * The URI with the password in its user info replaced by {@link #MASK}
     * ({@code http://user:******@proxy:3128}), or the whole user info when there is no colon (a
     * token may travel as the user name). A value that does not parse as a URI but holds an
     * {@code @} is masked whole: where its user info ends cannot be told, and an unencoded
     * {@code /}, {@code ?} or {@code #} in a password moves it out of the authority. Anything else
     * comes back unchanged.
     *
     * @param proxy the configured value; not null
     */
    public static String maskPassword(String proxy) {
        if (proxy.indexOf('@') < 0) {
            return proxy;
        }
        URI uri;
        try {
            uri = new URI(proxy);
        } catch (URISyntaxException e) {
            return MASK;
        }
        String userInfo = uri.getRawUserInfo();
        String authority = uri.getRawAuthority();
        if (userInfo == null || uri.getHost() == null || authority == null
                || proxy.indexOf('@', proxy.indexOf(authority) + authority.length()) >= 0) {
            // An '@' outside a well-formed authority: part of a password that escaped it.
            return MASK;
        }
        int colon = userInfo.indexOf(':');
        String masked = colon < 0 ? MASK : userInfo.substring(0, colon + 1) + MASK;
        int at = proxy.indexOf(authority);
        return proxy.substring(0, at) + masked + proxy.substring(at + userInfo.length());
    }
}
