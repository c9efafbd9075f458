package dev.laml.recordings.cli.internal;

import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.FormattingTuple;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

import java.io.PrintStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.logging.Handler;
import java.util.logging.LogRecord;

/**
 * The SLF4J provider of the {@code recordings} jar (registered in {@code META-INF/services}): what the libraries log
 * at WARN or ERROR is printed on standard error, one line each ({@code recordings: warning: ...}); everything below is
 * dropped. Without a provider, SLF4J prints three lines of its own before every command's output, and Netty falls back
 * to {@code java.util.logging}, whose console format takes two lines per record.
 *
 * <p>Why not slf4j-simple: it prints a logged exception's stack trace under the message, and a command's failure is
 * meant to be one line on stderr; here an exception adds its message to the same line. A stack trace is for
 * {@code --verbose}, which prints the command's own failure with one.
 *
 * <p>Library warnings are not the command's result, so they carry no exit code and no prefix a script could mistake
 * for {@code recordings: error:}. The stream is {@code System.err} as it is when a record is logged, so a test or an
 * embedding application that replaces it sees the lines.
 *
 * <p>Thread-safety: thread-safe; loggers are cached per name, and each line is one {@code println} on a stream that
 * synchronizes it. Nullability: messages and throwables may be null; names may not.
 */
public final class LibraryWarnings implements SLF4JServiceProvider {

    private final ILoggerFactory loggers = new Loggers();
    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();

    /** Created by SLF4J's {@link java.util.ServiceLoader}. */
    public LibraryWarnings() {
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        // Nothing to set up: the loggers are created on demand.
    }

    /**
     * The line printed for a record, or null for one below WARN. The message and the throwable's message are joined
     * on one line; line breaks inside either become spaces.
     */
    static String line(Level level, String message, Throwable error) {
        if (level.toInt() < Level.WARN.toInt()) {
            return null;
        }
        StringBuilder line = new StringBuilder("recordings: ")
                .append(level == Level.ERROR ? "library error: " : "warning: ")
                .append(message == null || message.isBlank() ? "(no message)" : oneLine(message));
        if (error != null) {
            String reason = error.getMessage();
            // A message-less exception still says something through its type; nothing else would.
            line.append(" (").append(reason == null || reason.isBlank()
                    ? error.getClass().getSimpleName() : oneLine(reason)).append(')');
        }
        return line.toString();
    }

    private static void print(Level level, String message, Throwable error) {
        String line = line(level, message, error);
        if (line != null) {
            PrintStream err = System.err;
            err.println(line);
            err.flush();
        }
    }

    private static String oneLine(String s) {
        return s.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    /**
     * The same one-line format for libraries that log through {@code java.util.logging} (the JDK's own classes, and
     * Netty when SLF4J is absent): installed on the root logger by {@code RecordingsCli.main} in place of the
     * two-line console handler.
     */
    public static Handler julHandler() {
        return new Handler() {
            @Override
            public void publish(LogRecord record) {
                int value = record.getLevel().intValue();
                if (value < java.util.logging.Level.WARNING.intValue()) {
                    return;
                }
                String message = record.getMessage();
                Object[] params = record.getParameters();
                if (message != null && params != null && params.length > 0) {
                    try {
                        message = java.text.MessageFormat.format(message, params);
                    } catch (IllegalArgumentException malformed) {
                        // keep the pattern as it is: better than losing the record
                    }
                }
                print(value >= java.util.logging.Level.SEVERE.intValue() ? Level.ERROR : Level.WARN, message,
                        record.getThrown());
            }

            @Override
            public void flush() {
                System.err.flush();
            }

            @Override
            public void close() {
                // System.err is not ours to close.
            }
        };
    }

    /**
     * Loggers whose warnings are about a connection's error that the client has handled already, and so the command
     * reports (or the client retries or resumes) itself. Printed, they would turn a one-line failure into five, and a
     * download that resumed after a reset into a success with warnings:
     * <ul>
     *   <li>Reactor Netty's {@code HttpClientConnect}, "The connection observed an error": the error the request then
     *       fails with, once per attempt (a refused connection, a failed handshake);
     *   <li>its {@code FluxReceive}, "An exception has been observed post termination": the close of a connection
     *       whose body the client had already stopped reading (a cancelled or broken body it resumed elsewhere).
     * </ul>
     * Their ERROR records still print.
     */
    static final Set<String> CONNECTION_ERROR_REPEATS = Set.of("reactor.netty.http.client.HttpClientConnect",
            "reactor.netty.channel.FluxReceive");

    private static final class Loggers implements ILoggerFactory {
        private final ConcurrentMap<String, Logger> byName = new ConcurrentHashMap<>();

        @Override
        public Logger getLogger(String name) {
            return byName.computeIfAbsent(name, OneLineLogger::new);
        }
    }

    /** Enabled at WARN and ERROR only, so that libraries skip building their debug messages. */
    private static final class OneLineLogger extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;

        private final boolean warn;

        OneLineLogger(String name) {
            this.name = name;
            this.warn = !CONNECTION_ERROR_REPEATS.contains(name);
        }

        @Override
        public boolean isTraceEnabled() {
            return false;
        }

        @Override
        public boolean isDebugEnabled() {
            return false;
        }

        @Override
        public boolean isInfoEnabled() {
            return false;
        }

        @Override
        public boolean isWarnEnabled() {
            return warn;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                                                   Throwable throwable) {
            // Without a throwable, the two-argument form takes a trailing exception argument not consumed by a {}
            // as the cause: SLF4J's convention for passing one.
            if (level == Level.WARN && !warn) {
                return; // also for a caller that logs through the fluent API without asking isWarnEnabled()
            }
            FormattingTuple formatted = throwable != null
                    ? MessageFormatter.arrayFormat(pattern, arguments, throwable)
                    : MessageFormatter.arrayFormat(pattern, arguments);
            Throwable cause = throwable != null ? throwable : formatted.getThrowable();
            print(level, formatted.getMessage(), cause);
        }
    }
}
