package dev.laml.recordings.cli.internal;

import dev.laml.recordings.ApiException;
import dev.laml.recordings.AuthenticationException;
import dev.laml.recordings.NotFoundException;
import dev.laml.recordings.TlsException;
import picocli.CommandLine;
import reactor.core.Exceptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns a failure into one line on stderr and an exit code. The codes are the command's contract with scripts, so the
 * mapping lives in one place.
 *
 * <p>Stateless and thread-safe; arguments are never null.
 */
final class Failures {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int NOT_FOUND = 3;
    static final int AUTHENTICATION = 4;
    static final int API_ERROR = 5;
    static final int TRANSFER = 6;

    private Failures() {
    }

    /** Reports an error from a command's execution and returns its exit code. */
    static int report(Throwable error, Session session) {
        Throwable t = unwrap(error);
        int code = exitCode(t);
        String line = "recordings: error: " + describe(t, code);
        if (!session.verbose && code == FAILED) {
            line += " (run with --verbose for the stack trace)";
        }
        session.err.println(line);
        if (session.verbose) {
            // Safe to print: the library's messages are redacted, and this command never puts a credential in one.
            t.printStackTrace(session.err);
        }
        session.err.flush();
        return code;
    }

    /** Reports a usage error on one line, pointing at the command's help. */
    static int reportUsage(CommandLine.ParameterException e, String[] args, Session session) {
        StringBuilder line = new StringBuilder("recordings: error: ");
        if (e instanceof CommandLine.UnmatchedArgumentException && triesToPassAToken(args)) {
            // picocli would echo the unmatched arguments, and with them the token.
            line.append("there is no --token option: a command line is visible to other users of the machine; "
                    + "set SIGNALWIRE_API_TOKEN or pass --token-file PATH");
            session.err.println(line);
            return USAGE;
        }
        line.append(oneLine(e.getMessage()));
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            line.append(" (did you mean ").append(String.join(" or ", u.getSuggestions())).append("?)");
        }
        line.append(" - see '").append(e.getCommandLine().getCommandSpec().qualifiedName()).append(" --help'");
        session.err.println(line);
        if (session.verbose) {
            e.printStackTrace(session.err);
        }
        session.err.flush();
        return USAGE;
    }

    private static boolean triesToPassAToken(String[] args) {
        for (String a : args) {
            String name = a.toLowerCase(Locale.ROOT);
            if (name.equals("--token") || name.startsWith("--token=") || name.equals("--api-token")
                    || name.startsWith("--api-token=")) {
                return true;
            }
        }
        return false;
    }

    static int exitCode(Throwable t) {
        if (t instanceof CommandLine.ParameterException || t instanceof IllegalArgumentException) {
            return USAGE;
        }
        if (t instanceof NotFoundException) {
            return NOT_FOUND;
        }
        if (t instanceof AuthenticationException) {
            return AUTHENTICATION;
        }
        if (t instanceof ApiException) {
            return API_ERROR;
        }
        if (t instanceof IOException || t instanceof UncheckedIOException) {
            return TRANSFER;
        }
        return FAILED;
    }

    /** Strips the wrappers that blocking on Reactor and futures add, down to the error the library signalled. */
    static Throwable unwrap(Throwable error) {
        Throwable t = Exceptions.unwrap(error);
        while ((t instanceof CompletionException || t instanceof ExecutionException
                || t instanceof UncheckedIOException || t instanceof CommandLine.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static String describe(Throwable t, int code) {
        String message = oneLine(t.getMessage());
        if (t instanceof NoSuchFileException) {
            return "no such file or directory: " + message;
        }
        if (t instanceof AccessDeniedException) {
            return "permission denied: " + message;
        }
        if (t instanceof FileAlreadyExistsException) {
            return "already exists: " + message;
        }
        if (t instanceof FileSystemException) {
            return message;
        }
        if (t instanceof TlsException && message != null && message.contains(" is not trusted")) {
            // The one TLS failure a user can fix from here: a private CA, a TLS-inspecting proxy, 'serve --tls'.
            return message + "; if you trust this server, pass its CA certificate with --ca-file PEM";
        }
        if (code == AUTHENTICATION) {
            return message + "; check the project id and API token";
        }
        if (message == null || message.isBlank()) {
            return t.getClass().getSimpleName();
        }
        return code == FAILED ? "unexpected " + t.getClass().getSimpleName() + ": " + message : message;
    }

    private static String oneLine(String s) {
        return s == null ? null : s.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
