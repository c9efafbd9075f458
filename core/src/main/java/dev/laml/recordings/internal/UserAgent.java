package dev.laml.recordings.internal;

import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The {@code User-Agent} every request carries: {@code laml-recordings/VERSION (+https://github.com/dev-laml/laml-recordings)},
 * with the version this library was built as, so that a server's logs (or SignalWire's support) can tell which release
 * sent a request.
 *
 * <p>The version comes from {@code version.properties}, which the build fills in from the pom; where that was not done
 * (classes compiled by an IDE without Maven's resource filtering) it falls back to the jar manifest's
 * {@code Implementation-Version}, and then to {@value #UNKNOWN_VERSION}. Stateless and thread-safe.
 */
public final class UserAgent {

    /** The version said when the build's version cannot be found. */
    static final String UNKNOWN_VERSION = "dev";

    /** The product name, before the slash. */
    static final String PRODUCT = "laml-recordings";

    /** The header's value, computed once. */
    public static final String VALUE = PRODUCT + "/" + version() + " (+https://github.com/dev-laml/laml-recordings)";

    private UserAgent() {
    }

    /** The library's version: the build's, else the manifest's, else {@value #UNKNOWN_VERSION}; never null. */
    static String version() {
        String fromBuild = fromResource(UserAgent.class.getResourceAsStream("version.properties"));
        if (fromBuild != null) {
            return fromBuild;
        }
        String fromManifest = UserAgent.class.getPackage().getImplementationVersion();
        return usable(fromManifest) ? fromManifest : UNKNOWN_VERSION;
    }

    /** The {@code version} property of the stream, or null if there is none or it was never filled in. */
    static @Nullable String fromResource(@Nullable InputStream in) {
        if (in == null) {
            return null;
        }
        try (in) {
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version");
            return usable(v) ? v.trim() : null;
        } catch (IOException | IllegalArgumentException e) {
            return null; // a damaged resource costs the version in the header, never a request
        }
    }

    /** Not blank, not an unfiltered placeholder, and nothing that could break the header line. */
    private static boolean usable(@Nullable String v) {
        return v != null && !v.isBlank() && !v.contains("${") && v.trim().chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }
}
