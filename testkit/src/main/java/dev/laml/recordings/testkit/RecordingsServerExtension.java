package dev.laml.recordings.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.net.URI;
import java.util.Objects;

/**
 * JUnit 5 extension that runs a {@link RecordingsServer} around tests; register it with
 * {@code @RegisterExtension}:
 * <pre>{@code
 * @RegisterExtension
 * final RecordingsServerExtension recordings = new RecordingsServerExtension();   // a fresh server per test
 *
 * @RegisterExtension
 * static final RecordingsServerExtension shared = new RecordingsServerExtension(); // one server per class
 * }</pre>
 * In an instance field (with JUnit's default per-method test instances), each test gets a new server, closed after
 * it. In a static field (or with {@code @TestInstance(PER_CLASS)}), one server serves the whole class, nested classes
 * included, and is closed after it; before each test its counters are reset, its request log
 * emptied and its faults cleared, while recordings persist (add shared ones in {@code @BeforeAll}).
 *
 * <p>Thread-safe for JUnit's callbacks, but a static instance is one shared server: tests that run in parallel see
 * each other's requests, counters and faults. Needs {@code junit-jupiter-api} on the test classpath (an optional
 * dependency of the testkit).
 */
public final class RecordingsServerExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private final RecordingsServer.Builder builder;
    private RecordingsServer server;
    /** Class-level scopes entered and not yet left (nested classes nest); 0 means per-test servers. */
    private int classScopes;

    /** An extension whose servers have the defaults of {@link RecordingsServer#start()}. */
    public RecordingsServerExtension() {
        this(RecordingsServer.builder());
    }

    /**
     * An extension that starts its servers from {@code builder}, e.g. {@code RecordingsServer.builder().credentials(
     * "project", "token")}. The extension owns the builder from now on: do not change it.
     */
    public RecordingsServerExtension(RecordingsServer.Builder builder) {
        this.builder = Objects.requireNonNull(builder, "builder");
    }

    /**
     * The running server.
     *
     * @throws IllegalStateException outside of a test's lifecycle
     */
    public synchronized RecordingsServer server() {
        if (server == null) {
            throw new IllegalStateException("no server: the extension starts one before each test (or class)");
        }
        return server;
    }

    /** Shorthand for {@code server().baseUrl()}. */
    public URI baseUrl() {
        return server().baseUrl();
    }

    @Override
    public synchronized void beforeAll(ExtensionContext context) {
        if (classScopes++ == 0) {
            server = builder.start();
        }
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (--classScopes == 0) {
            closeServer();
        }
    }

    @Override
    public synchronized void beforeEach(ExtensionContext context) {
        if (classScopes == 0) {
            server = builder.start();
        } else {
            server.resetCounters();
            server.clearFaults();
        }
    }

    @Override
    public synchronized void afterEach(ExtensionContext context) {
        if (classScopes == 0) {
            closeServer();
        }
    }

    private void closeServer() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
