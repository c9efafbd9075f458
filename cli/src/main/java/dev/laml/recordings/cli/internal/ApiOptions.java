package dev.laml.recordings.cli.internal;

import dev.laml.recordings.InvalidSettingException;
import dev.laml.recordings.RetryPolicy;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.reactor.TlsEngine;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The options that say which API to talk to, as whom and how to reach it (trust, proxy), shared by {@code metadata},
 * {@code download} and {@code archive}, and the client they configure. Each falls back to its environment variable; the
 * token comes only from the environment or a file, never from the command line, where any user could read it with
 * {@code ps}. Proxy rules: see {@link ProxyChoice}.
 *
 * <p>Set by picocli on the run's thread, then read there; not thread-safe. Unset options are null.
 */
final class ApiOptions {

    static final String ENV_SPACE = "SIGNALWIRE_SPACE";
    static final String ENV_BASE_URL = "SIGNALWIRE_BASE_URL";
    static final String ENV_PROJECT = "SIGNALWIRE_PROJECT_ID";
    static final String ENV_TOKEN = "SIGNALWIRE_API_TOKEN";
    static final String ENV_CA_FILE = "SIGNALWIRE_CA_FILE";

    @Option(names = "--space", paramLabel = "NAME",
            description = "Your SignalWire space: NAME for NAME.signalwire.com. Default: $" + ENV_SPACE + ".")
    String space;

    @Option(names = "--base-url", paramLabel = "URL",
            description = {"Talk to URL instead of a space: a proxy, or a local server from 'recordings serve'.",
                    "Must be https, except for localhost. Default: $" + ENV_BASE_URL + " unless --space is given "
                            + "(it wins over $" + ENV_SPACE + ")."})
    URI baseUrl;

    @Option(names = "--project", paramLabel = "ID",
            description = "Your project id (the API's user name). Default: $" + ENV_PROJECT + ".")
    String project;

    @Option(names = "--token-file", paramLabel = "PATH",
            description = {"Read the API token from this file (surrounding whitespace ignored).",
                    "Default: $" + ENV_TOKEN + ". There is no option for the token itself: a command line is "
                            + "visible to every user of the machine."})
    Path tokenFile;

    @Option(names = "--account", paramLabel = "SID",
            description = "The account the recording belongs to. Default: the project id (they are the same on "
                    + "SignalWire).")
    String account;

    @Option(names = "--ca-file", paramLabel = "PATH",
            description = {"Trust only the certificates in this PEM file instead of the JDK's default trust store: a "
                    + "private CA, a TLS-inspecting proxy's CA, or the file 'recordings serve --tls' writes. Host "
                    + "names are still verified. Default: $" + ENV_CA_FILE + "."})
    Path caFile;

    @Option(names = "--proxy", paramLabel = "URL",
            description = {"Connect through this proxy: http://[USER:PASSWORD@]HOST:PORT (a CONNECT tunnel: TLS to "
                    + "the server stays end to end) or socks5://HOST:PORT. Without a scheme, http://. '' turns "
                    + "proxying off. Prefer the environment for a password: a command line is visible to every "
                    + "user of the machine.",
                    "Default, for an https server, as in curl: $https_proxy, else $HTTPS_PROXY (set but empty: no "
                            + "proxy). Hosts in $no_proxy, else $NO_PROXY, are reached directly (comma-separated: "
                            + "names, which cover their subdomains; IP addresses; CIDR ranges; * for all), also "
                            + "with --proxy.",
                    "$http_proxy and $HTTP_PROXY are not read: plain http is only accepted for localhost, which a "
                            + "proxy on another machine cannot reach; --proxy applies to it anyway."})
    String proxy;

    @Option(names = "--attempts", paramLabel = "N", defaultValue = "4",
            description = "Tries per request, first included, for failures worth retrying (5xx, 429, broken "
                    + "connections; a broken download resumes where it stopped, see --resume-for). 1 turns retries and "
                    + "resumes off. Default: ${DEFAULT-VALUE}.")
    int attempts;

    @Option(names = "--resume-for", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long a download that has received bytes keeps being resumed while no more arrive "
                    + "(a server restarting, say): each byte received restarts the clock, and the waits between "
                    + "resumes stay under 2 s. 0: resumes count against --attempts instead. "
                    + "Default: ${DEFAULT-VALUE}.")
    int resumeFor;

    /** The account sid: {@code --account}, else the project id. */
    String account(Session session) {
        if (account != null) {
            return account;
        }
        String p = project(session);
        if (p == null) {
            throw new InvalidInputException("no account: pass --account SID (on SignalWire, your project id)");
        }
        return p;
    }

    /**
     * A client for the configured API. With {@code needCredentials}, a missing project id or token is an input error;
     * without, credentials are configured only when both are available (the client sends them to media URLs only with
     * {@code mediaAuth}).
     */
    RecordingsClient client(Session session, boolean needCredentials, boolean mediaAuth) {
        return client(session, needCredentials, mediaAuth, List.of());
    }

    /** As {@link #client(Session, boolean, boolean)}, also fetching media URLs from hosts matching {@code mediaHosts}. */
    RecordingsClient client(Session session, boolean needCredentials, boolean mediaAuth, List<String> mediaHosts) {
        if (attempts < 1 || attempts > 20) {
            throw new InvalidInputException("--attempts must be between 1 and 20, got " + attempts);
        }
        if (resumeFor < 0 || resumeFor > 3600) {
            throw new InvalidInputException("--resume-for must be between 0 and 3600 seconds, got " + resumeFor);
        }
        RecordingsClient.Builder builder = RecordingsClient.builder()
                .retryPolicy(RetryPolicy.defaults().maxAttempts(attempts)
                        .resumeWithoutProgressFor(Duration.ofSeconds(resumeFor)))
                .mediaHosts(mediaHosts.toArray(String[]::new));
        String where;
        boolean https;
        URI base = baseUrl(session);
        if (base != null) {
            builder.baseUrl(base);
            where = base.toString();
            https = "https".equalsIgnoreCase(base.getScheme());
        } else {
            String name = spaceName(session);
            builder.space(name);
            where = "space " + name;
            https = true;
        }

        String projectId = project(session);
        String token = null;
        String tokenSource = null;
        if (tokenFile != null) {
            token = readToken(tokenFile);
            tokenSource = "--token-file " + tokenFile;
        } else if (session.env(ENV_TOKEN) != null) {
            token = session.env(ENV_TOKEN);
            tokenSource = "$" + ENV_TOKEN;
        }
        boolean required = needCredentials || mediaAuth;
        if (required && projectId == null) {
            throw new InvalidInputException("no project id: set " + ENV_PROJECT + " or pass --project ID");
        }
        if (required && token == null) {
            throw new InvalidInputException("no API token: set " + ENV_TOKEN + " or pass --token-file PATH");
        }
        if (projectId != null && token != null) {
            builder.credentials(projectId, token).sendCredentialsToMedia(mediaAuth);
            session.debug("using " + where + " as project " + projectId + " (token from " + tokenSource + ")");
        } else {
            session.debug("using " + where + " without credentials");
        }

        String caSource = trust(builder, session);
        ProxyChoice proxyChoice = ProxyChoice.resolve(proxy, https, session);
        proxyChoice.applyTo(builder);
        if (proxyChoice.source() != null) {
            session.debug("proxy: " + proxyChoice.describe());
        }

        RecordingsClient client;
        try {
            client = builder.build();
        } catch (InvalidSettingException e) {
            if (caSource != null && e.setting().equals("trustedCertificates")) {
                // The file exists and opens (checked above), but holds no certificate the JDK can read. Said in the
                // CLI's own words: the builder's message names its setting, not the option, and the parser's reason
                // names Java classes.
                throw new InvalidInputException(caSource + " holds no certificate this tool can read"
                        + "; expected PEM: -----BEGIN CERTIFICATE----- blocks", e);
            }
            throw e;
        }
        if (https) {
            session.debug("TLS: " + (client.tlsEngine() == TlsEngine.OPENSSL ? "OpenSSL" : "JDK") + ", trusting "
                    + (caSource == null ? "the JDK's default certificate authorities" : "only " + caSource));
        }
        return client;
    }

    /**
     * Sets the trusted certificates from {@code --ca-file} or the environment, after checking that the file is there
     * and readable: a mistyped path is an input error the user should see as such, not a TLS failure later.
     *
     * @return how the file was named ({@code --ca-file PATH} or {@code $SIGNALWIRE_CA_FILE (PATH)}), or null for the
     *         default trust
     */
    private String trust(RecordingsClient.Builder builder, Session session) {
        Path file;
        String source;
        if (caFile != null) {
            file = caFile;
            source = "--ca-file " + caFile;
        } else if (session.env(ENV_CA_FILE) != null) {
            String value = session.env(ENV_CA_FILE);
            try {
                file = Path.of(value);
            } catch (InvalidPathException e) {
                throw new InvalidInputException("$" + ENV_CA_FILE + " is not a usable path: " + e.getReason());
            }
            source = "$" + ENV_CA_FILE + " (" + file + ")";
        } else {
            return null;
        }
        if (!Files.exists(file)) {
            throw new InvalidInputException(source + ": no such file");
        }
        if (Files.isDirectory(file)) {
            throw new InvalidInputException(source + " is a directory; expected a PEM file of certificates");
        }
        try (InputStream in = Files.newInputStream(file)) {
            in.read();
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + source + ": " + Failures.describe(e, Failures.TRANSFER),
                    e);
        }
        builder.trustedCertificates(file);
        return source;
    }

    static String stripPrefix(String message, String prefix) {
        return message != null && message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    /**
     * The base URL from {@code --base-url}, else from the environment unless {@code --space} is given; null when the
     * server is a space. An option wins over a variable, and {@code $SIGNALWIRE_BASE_URL} over
     * {@code $SIGNALWIRE_SPACE}: the base URL is the more specific of the two, set for the moment (the lines
     * {@code serve} prints export it) while the space is often set for good in a shell profile. Which one was used is
     * said with {@code --verbose}.
     */
    private URI baseUrl(Session session) {
        if (baseUrl != null) {
            if (space != null) {
                throw new InvalidInputException("--space and --base-url both name the server; pass one of them");
            }
            return baseUrl;
        }
        String value = session.env(ENV_BASE_URL);
        if (space != null || value == null || value.isBlank()) {
            return null;
        }
        try {
            URI uri = new URI(value.strip());
            session.debug("base URL from $" + ENV_BASE_URL + (session.env(ENV_SPACE) != null ? " ($" + ENV_SPACE
                    + " is set too; pass --space to use it)" : ""));
            return uri;
        } catch (URISyntaxException e) {
            // The reason and position only: the value might carry user info.
            throw new InvalidInputException("$" + ENV_BASE_URL + " is not a URL: " + e.getReason()
                    + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
        }
    }

    private String project(Session session) {
        return project != null ? project : session.env(ENV_PROJECT);
    }

    /**
     * The space from {@code --space} or the environment. People often export the host rather than the name
     * ({@code example.signalwire.com}, even with a scheme); both are accepted, anything else is left to the client's
     * validation.
     */
    private String spaceName(Session session) {
        String value = space != null ? space : session.env(ENV_SPACE);
        if (value == null) {
            throw new InvalidInputException("no space: pass --space NAME or set " + ENV_SPACE
                    + " (or point --base-url or $" + ENV_BASE_URL + " at a server)");
        }
        String name = value.strip();
        if (name.regionMatches(true, 0, "https://", 0, 8)) {
            name = name.substring(8);
        }
        if (name.endsWith("/")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.toLowerCase(Locale.ROOT).endsWith(".signalwire.com")) {
            name = name.substring(0, name.length() - ".signalwire.com".length());
        }
        return name;
    }

    private static String readToken(Path file) {
        String token;
        try {
            token = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            // The reason only, never the content.
            throw new InvalidInputException("cannot read --token-file " + file + ": "
                    + Failures.describe(e, Failures.TRANSFER), e);
        }
        if (token.isEmpty()) {
            throw new InvalidInputException("--token-file " + file + " is empty");
        }
        return token;
    }
}
