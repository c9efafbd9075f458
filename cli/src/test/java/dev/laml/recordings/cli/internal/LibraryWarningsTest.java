package dev.laml.recordings.cli.internal;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jar's SLF4J provider: a library's warning is one line on stderr, anything below WARN nothing. (ShadedJarIT checks
 * the same in the built jar, where it is the only provider.)
 */
class LibraryWarningsTest {

    @Test
    void aWarningIsOneLineWithTheMessageOfItsCause() {
        assertThat(LibraryWarnings.line(Level.WARN, "first line\n  second line", new IOException("reset\nby peer")))
                .isEqualTo("recordings: warning: first line second line (reset by peer)");
        assertThat(LibraryWarnings.line(Level.ERROR, "LEAK: a buffer was not released", null))
                .isEqualTo("recordings: library error: LEAK: a buffer was not released");
        assertThat(LibraryWarnings.line(Level.WARN, "closed", new IOException()))
                .isEqualTo("recordings: warning: closed (IOException)");
    }

    @Test
    void nothingBelowWarnIsPrinted() {
        assertThat(LibraryWarnings.line(Level.INFO, "started", null)).isNull();
        assertThat(LibraryWarnings.line(Level.DEBUG, "details", null)).isNull();
        assertThat(LibraryWarnings.line(Level.TRACE, "more details", null)).isNull();
    }

    @Test
    void aWarningLoggedThroughSlf4jIsOneLineOnStderrAndNothingElseIs() {
        String printed = capturingStderr(() -> {
            LibraryWarnings provider = new LibraryWarnings();
            provider.initialize();
            org.slf4j.Logger slf4j = provider.getLoggerFactory().getLogger("io.netty.test");
            assertThat(slf4j.isWarnEnabled()).isTrue();
            assertThat(slf4j.isInfoEnabled()).isFalse();
            assertThat(slf4j.isDebugEnabled()).isFalse();
            slf4j.info("an info line");
            slf4j.debug("a debug line {}", 1);
            // SLF4J's convention: a trailing exception not consumed by a {} is the cause.
            slf4j.warn("pool {} is {}", "p1", "full", new IllegalStateException("no connection\navailable"));
        });

        assertThat(printed).isEqualTo("recordings: warning: pool p1 is full (no connection available)"
                + System.lineSeparator());
    }

    @Test
    void reactorNettysRepeatsOfConnectionErrorsTheClientHandledAreNotPrinted() {
        LibraryWarnings provider = new LibraryWarnings();
        org.slf4j.Logger connect = provider.getLoggerFactory()
                .getLogger("reactor.netty.http.client.HttpClientConnect");
        org.slf4j.Logger receive = provider.getLoggerFactory().getLogger("reactor.netty.channel.FluxReceive");
        org.slf4j.Logger pool = provider.getLoggerFactory().getLogger("reactor.netty.resources.PooledConnectionProvider");

        String printed = capturingStderr(() -> {
            connect.warn("[id] The connection observed an error", new IOException("Connection refused"));
            receive.warn("[id] An exception has been observed post termination, use DEBUG level to see the full "
                    + "stack: {}", "PrematureCloseException: Connection prematurely closed DURING response");
            connect.error("a real error");
            pool.warn("another logger of the same library");
        });

        assertThat(connect.isWarnEnabled()).isFalse();
        assertThat(receive.isWarnEnabled()).isFalse();
        assertThat(printed).isEqualTo("recordings: library error: a real error" + System.lineSeparator()
                + "recordings: warning: another logger of the same library" + System.lineSeparator());
    }

    @Test
    void javaUtilLoggingRecordsGetTheSameOneLineFormat() {
        Logger jul = Logger.getAnonymousLogger();
        jul.setUseParentHandlers(false);
        jul.addHandler(LibraryWarnings.julHandler());

        String printed = capturingStderr(() -> {
            jul.info("an info record");
            jul.log(java.util.logging.Level.WARNING, "disk {0} is\nslow", "sda");
            jul.log(java.util.logging.Level.SEVERE, "failed", new IOException("broken pipe"));
        });

        assertThat(printed).isEqualTo("recordings: warning: disk sda is slow" + System.lineSeparator()
                + "recordings: library error: failed (broken pipe)" + System.lineSeparator());
    }

    @Test
    void nettyLogsThroughThisProviderAndItsWarningsArePrinted() {
        // The module's classes come first on the class path, so SLF4J picks this provider as it does in the jar
        // (where it is the only one); Netty then logs through SLF4J instead of java.util.logging.
        assertThat(LoggerFactory.getILoggerFactory().getClass().getName())
                .startsWith(LibraryWarnings.class.getName());
        InternalLogger netty = InternalLoggerFactory.getInstance("io.netty.test");

        String printed = capturingStderr(() -> {
            netty.debug("not shown");
            netty.warn("Netty's own {} warning", "formatted", new IOException("with a cause"));
        });

        assertThat(printed).isEqualTo("recordings: warning: Netty's own formatted warning (with a cause)"
                + System.lineSeparator());
    }

    private static String capturingStderr(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
