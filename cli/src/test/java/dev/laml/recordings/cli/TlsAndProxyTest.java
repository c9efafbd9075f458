package dev.laml.recordings.cli;

import dev.laml.recordings.testkit.Format;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.RecordingsServerExtension;
import dev.laml.recordings.testkit.TestRecording;
import dev.laml.recordings.testsupport.ConnectProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code metadata} and {@code download} over HTTPS against a testkit with its own generated CA: trust from
 * {@code --ca-file} or {@code SIGNALWIRE_CA_FILE}, the handshake failure without it, and every way a proxy is chosen
 * (option, curl's environment variables, {@code NO_PROXY}), through a real CONNECT proxy on loopback.
 */
class TlsAndProxyTest {

    static final String PROJECT = "5b0d1c2e-7f3a-4b6c-9d8e-0a1b2c3d4e5f";
    static final String TOKEN = "PTtls-canary-71c9";
    static final String PROXY_USER = "alice";
    static final String PROXY_PASSWORD = "Pr0xyPa55-canary";

    @RegisterExtension
    static final RecordingsServerExtension testkit =
            new RecordingsServerExtension(RecordingsServer.builder().tls().credentials(PROJECT, TOKEN));

    @TempDir
    static Path shared;

    static Path ca;
    static TestRecording recording;

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void trustAndRecord() {
        ca = testkit.server().writeCertificatePem(shared.resolve("testkit-ca.pem"));
        recording = testkit.server().addRecording(RecordingSpec.create().durationSeconds(9).channels(2));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T opened(T c) {
        open.add(c);
        return c;
    }

    static Map<String, String> env(String... more) {
        Map<String, String> env = CliRun.env(more);
        env.put("SIGNALWIRE_PROJECT_ID", PROJECT);
        env.put("SIGNALWIRE_API_TOKEN", TOKEN);
        return env;
    }

    static String[] args(String command, String... more) {
        List<String> a = new ArrayList<>(List.of(command, "--base-url", testkit.baseUrl().toString(),
                "--sid", recording.sid()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    static String target() {
        return "127.0.0.1:" + testkit.server().port();
    }

    static String closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    // ------------------------------------------------------------------------------------------------ trust

    @Test
    void metadataOverHttpsTrustsTheGivenCaFile() {
        CliRun r = CliRun.run(env(), args("metadata", "--ca-file", ca.toString()));

        assertThat(testkit.baseUrl().getScheme()).isEqualTo("https");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains(recording.sid()).containsPattern("duration:\\s+9 s");
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void downloadOverHttpsIsByteIdenticalToAFileAndToStdout() throws IOException {
        Path target = dir.resolve("call.mp3");
        CliRun toFile = CliRun.run(env(), args("download", "--ca-file", ca.toString(), "--format", "mp3",
                "-o", target.toString()));
        CliRun toStdout = CliRun.run(env(), args("download", "--ca-file", ca.toString(), "-o", "-"));

        assertThat(toFile.exitCode()).as(toFile.toString()).isZero();
        assertThat(Files.readAllBytes(target)).isEqualTo(recording.bytes(Format.MP3));
        assertThat(toStdout.exitCode()).as(toStdout.stderr()).isZero();
        assertThat(toStdout.stdoutBytes()).isEqualTo(recording.bytes(Format.WAV));
    }

    @Test
    void theCaFileMayComeFromTheEnvironmentAndTheOptionWins() {
        CliRun fromEnv = CliRun.run(env("SIGNALWIRE_CA_FILE", ca.toString()), args("metadata", "--json"));
        CliRun optionWins = CliRun.run(env("SIGNALWIRE_CA_FILE", dir.resolve("missing.pem").toString()),
                args("metadata", "--json", "--ca-file", ca.toString()));

        assertThat(fromEnv.exitCode()).as(fromEnv.toString()).isZero();
        assertThat(fromEnv.stdout()).contains(recording.sid());
        assertThat(optionWins.exitCode()).as(optionWins.toString()).isZero();
    }

    @Test
    void withoutTheCaFileTheHandshakeFailsOnceAndFastWithExit6() {
        long started = System.nanoTime();
        CliRun r = CliRun.run(env(), args("metadata"));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(6);
        assertThat(r.stderr()).startsWith("recordings: error: ")
                .contains("TLS handshake with " + target(), "is not trusted", "--ca-file")
                .hasLineCount(1);
        // Never retried: the default four attempts with back-off would take seconds and open four connections.
        assertThat(testkit.server().connectionCount()).isEqualTo(1);
        assertThat(took).isLessThan(Duration.ofSeconds(15));

        CliRun download = CliRun.run(env(), args("download", "-o", dir.resolve("x.wav").toString()));
        assertThat(download.exitCode()).as(download.toString()).isEqualTo(6);
        assertThat(download.stderr()).contains("is not trusted").hasLineCount(1);
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aMissingUnreadableOrCertificateFreeCaFileIsExit2BeforeAnythingIsSent() throws IOException {
        Path missing = dir.resolve("missing.pem");
        Path notPem = Files.writeString(dir.resolve("not.pem"), "this is not a certificate\n");
        Path empty = Files.createFile(dir.resolve("empty.pem"));
        Path key = Files.writeString(dir.resolve("key.pem"),
                "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIB4=\n-----END PRIVATE KEY-----\n");

        CliRun noFile = CliRun.run(env(), args("metadata", "--ca-file", missing.toString()));
        CliRun aDirectory = CliRun.run(env(), args("download", "--ca-file", dir.toString(), "-o", "-"));
        CliRun noCertificate = CliRun.run(env(), args("metadata", "--ca-file", notPem.toString()));
        CliRun emptyFile = CliRun.run(env(), args("metadata", "--ca-file", empty.toString()));
        CliRun onlyAKey = CliRun.run(env(), args("metadata", "--ca-file", key.toString()));
        CliRun envMissing = CliRun.run(env("SIGNALWIRE_CA_FILE", missing.toString()), args("metadata"));

        for (CliRun r : List.of(noFile, aDirectory, noCertificate, emptyFile, onlyAKey, envMissing)) {
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.stderr()).as(r.toString()).startsWith("recordings: error: ").hasLineCount(1);
            assertThat(r.stdout()).isEmpty();
        }
        assertThat(noFile.stderr()).contains("--ca-file " + missing, "no such file");
        assertThat(aDirectory.stderr()).contains("--ca-file " + dir, "is a directory");
        assertThat(noCertificate.stderr()).contains("--ca-file " + notPem, "no", "certificate", "BEGIN CERTIFICATE");
        assertThat(emptyFile.stderr()).contains("--ca-file " + empty, "certificate");
        assertThat(onlyAKey.stderr()).contains("--ca-file " + key, "certificate");
        assertThat(envMissing.stderr()).contains("$SIGNALWIRE_CA_FILE", missing.toString(), "no such file");
        assertThat(testkit.server().connectionCount()).as("nothing sent").isZero();
    }

    @Test
    void aCaFileThatCannotBeReadIsExit2() throws IOException {
        Path locked = Files.writeString(dir.resolve("locked.pem"), Files.readString(ca));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        if (Files.isReadable(locked)) {
            // root reads anything: nothing to test here, and the other cases cover the message's form.
            return;
        }
        CliRun r = CliRun.run(env(), args("metadata", "--ca-file", locked.toString()));

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.stderr()).contains("cannot read --ca-file " + locked, "permission denied").hasLineCount(1);
    }

    // ------------------------------------------------------------------------------------------------ proxies

    @Test
    void theProxyOptionTunnelsToTheServer() {
        ConnectProxy proxy = opened(ConnectProxy.start());

        CliRun r = CliRun.run(env(), args("metadata", "--ca-file", ca.toString(), "--proxy", proxy.uri().toString()));

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.stdout()).contains(recording.sid());
        assertThat(proxy.connectTargets()).containsExactly(target());
    }

    @Test
    void httpsProxyFromTheEnvironmentEitherCaseAndWithoutAScheme() throws IOException {
        ConnectProxy proxy = opened(ConnectProxy.start());
        Path target = dir.resolve("via-env.wav");

        CliRun upper = CliRun.run(env("HTTPS_PROXY", proxy.uri().toString()),
                args("download", "--ca-file", ca.toString(), "-o", target.toString()));
        CliRun lower = CliRun.run(env("https_proxy", proxy.uri().toString()),
                args("metadata", "--ca-file", ca.toString()));
        // curl reads host:port as http://host:port.
        CliRun noScheme = CliRun.run(env("HTTPS_PROXY", "127.0.0.1:" + proxy.port()),
                args("metadata", "--ca-file", ca.toString()));

        assertThat(upper.exitCode()).as(upper.toString()).isZero();
        assertThat(Files.readAllBytes(target)).isEqualTo(recording.bytes(Format.WAV));
        assertThat(lower.exitCode()).as(lower.toString()).isZero();
        assertThat(noScheme.exitCode()).as(noScheme.toString()).isZero();
        assertThat(proxy.connectTargets()).containsExactly(target(), target(), target());
    }

    @Test
    void theLowercaseVariableWinsAndTheOptionWinsOverBoth() throws IOException {
        ConnectProxy good = opened(ConnectProxy.start());
        ConnectProxy other = opened(ConnectProxy.start());
        String dead = closedPort();

        CliRun lowerWins = CliRun.run(env("https_proxy", good.uri().toString(), "HTTPS_PROXY", dead),
                args("metadata", "--ca-file", ca.toString()));
        CliRun optionWins = CliRun.run(env("https_proxy", dead, "HTTPS_PROXY", dead),
                args("metadata", "--ca-file", ca.toString(), "--proxy", other.uri().toString()));

        assertThat(lowerWins.exitCode()).as(lowerWins.toString()).isZero();
        assertThat(optionWins.exitCode()).as(optionWins.toString()).isZero();
        assertThat(good.connectTargets()).containsExactly(target());
        assertThat(other.connectTargets()).containsExactly(target());
    }

    @Test
    void anEmptyVariableOrAnEmptyOptionTurnsTheProxyOff() throws IOException {
        String dead = closedPort();

        // As in curl: https_proxy is set, so HTTPS_PROXY is not looked at, and empty means no proxy.
        CliRun emptyLower = CliRun.run(env("https_proxy", "", "HTTPS_PROXY", dead),
                args("metadata", "--ca-file", ca.toString()));
        CliRun emptyOption = CliRun.run(env("https_proxy", dead, "HTTPS_PROXY", dead),
                args("metadata", "--ca-file", ca.toString(), "--proxy", ""));

        assertThat(emptyLower.exitCode()).as(emptyLower.toString()).isZero();
        assertThat(emptyOption.exitCode()).as(emptyOption.toString()).isZero();
    }

    @Test
    void noProxyHostsAreReachedDirectly() {
        ConnectProxy proxy = opened(ConnectProxy.start());
        String via = proxy.uri().toString();

        // Trimmed, empty entries ignored.
        CliRun listed = CliRun.run(env("HTTPS_PROXY", via, "NO_PROXY", " example.com, ,127.0.0.1 ,"),
                args("metadata", "--ca-file", ca.toString()));
        CliRun cidr = CliRun.run(env("https_proxy", via, "no_proxy", "10.0.0.0/8,127.0.0.0/8"),
                args("metadata", "--ca-file", ca.toString()));
        CliRun all = CliRun.run(env("NO_PROXY", "*"), args("metadata", "--ca-file", ca.toString(), "--proxy", via));

        for (CliRun r : List.of(listed, cidr, all)) {
            assertThat(r.exitCode()).as(r.toString()).isZero();
        }
        assertThat(proxy.connectCount()).isZero();

        // The lowercase list wins, as in curl: here it does not name the server, so the proxy is used.
        CliRun lowerWins = CliRun.run(env("HTTPS_PROXY", via, "no_proxy", "example.com", "NO_PROXY", "127.0.0.1"),
                args("metadata", "--ca-file", ca.toString()));
        assertThat(lowerWins.exitCode()).as(lowerWins.toString()).isZero();
        assertThat(proxy.connectTargets()).containsExactly(target());
    }

    @Test
    void aPlainHttpServerIgnoresTheProxyVariablesButNotTheOption() {
        RecordingsServer plain = opened(RecordingsServer.builder().credentials(PROJECT, TOKEN).start());
        TestRecording r = plain.addRecording(RecordingSpec.create());
        ConnectProxy proxy = opened(ConnectProxy.start());
        String via = proxy.uri().toString();
        String[] metadata = {"metadata", "--base-url", plain.baseUrl().toString(), "--sid", r.sid()};

        CliRun fromEnv = CliRun.run(env("http_proxy", via, "HTTP_PROXY", via, "https_proxy", via, "HTTPS_PROXY", via),
                metadata);
        assertThat(fromEnv.exitCode()).as(fromEnv.toString()).isZero();
        assertThat(proxy.connectCount()).isZero();

        List<String> withOption = new ArrayList<>(List.of(metadata));
        withOption.addAll(List.of("--proxy", via));
        CliRun fromOption = CliRun.run(env(), withOption.toArray(String[]::new));
        assertThat(fromOption.exitCode()).as(fromOption.toString()).isZero();
        assertThat(proxy.connectTargets()).containsExactly("127.0.0.1:" + plain.port());
    }

    @Test
    void proxyCredentialsWorkAndThePasswordIsNeverPrinted() {
        ConnectProxy proxy = opened(ConnectProxy.withCredentials(PROXY_USER, PROXY_PASSWORD));
        String withPassword = "http://" + PROXY_USER + ":" + PROXY_PASSWORD + "@127.0.0.1:" + proxy.port();
        String wrongPassword = "http://" + PROXY_USER + ":Wr0ng-" + PROXY_PASSWORD + "@127.0.0.1:" + proxy.port();

        CliRun option = CliRun.run(env(), args("metadata", "--ca-file", ca.toString(), "--proxy", withPassword, "-v"));
        CliRun fromEnv = CliRun.run(env("HTTPS_PROXY", withPassword),
                args("download", "--ca-file", ca.toString(), "-o", "-", "--verbose"));
        CliRun wrong = CliRun.run(env(), args("metadata", "--ca-file", ca.toString(), "--proxy", wrongPassword, "-v"));
        CliRun none = CliRun.run(env(), args("metadata", "--ca-file", ca.toString(), "--proxy", proxy.uri().toString()));

        assertThat(option.exitCode()).as(option.toString()).isZero();
        assertThat(option.stderr()).contains("(with credentials)");
        assertThat(fromEnv.exitCode()).as(fromEnv.stderr()).isZero();
        assertThat(fromEnv.stdoutBytes()).isEqualTo(recording.bytes(Format.WAV));
        String basic = "Basic " + Base64.getEncoder().encodeToString(
                (PROXY_USER + ":" + PROXY_PASSWORD).getBytes(StandardCharsets.UTF_8));
        assertThat(proxy.proxyAuthorizations()).contains(basic);

        assertThat(wrong.exitCode()).as(wrong.toString()).isEqualTo(6);
        // --verbose: the settings first, then the error and its stack trace.
        assertThat(wrong.stderr()).containsPattern("(?m)^recordings: error: .*proxy.*407");
        assertThat(none.exitCode()).as(none.toString()).isEqualTo(6);
        assertThat(none.stderr()).contains("407").hasLineCount(1);

        for (CliRun r : List.of(option, fromEnv, wrong, none)) {
            assertThat(r.stdout() + r.stderr()).as(r.toString())
                    .doesNotContain(PROXY_PASSWORD)
                    .doesNotContain(Base64.getEncoder().encodeToString(
                            (PROXY_USER + ":" + PROXY_PASSWORD).getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void aRefusingProxyIsExit6AfterOneAttempt() {
        ConnectProxy proxy = opened(ConnectProxy.refusing(403));

        long started = System.nanoTime();
        CliRun r = CliRun.run(env(), args("metadata", "--ca-file", ca.toString(), "--proxy", proxy.uri().toString()));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(6);
        assertThat(r.stderr()).startsWith("recordings: error: ").contains("proxy", "403").hasLineCount(1);
        assertThat(proxy.connectCount()).as("never retried").isEqualTo(1);
        assertThat(took).isLessThan(Duration.ofSeconds(15));
        assertThat(testkit.server().requestCount()).isZero();
    }

    @Test
    void anInvalidProxyIsExit2AndTheMessageNeverRepeatsTheCredentials() {
        // Each password is distinctive in every part, so that no fragment of it may appear either.
        List<String> invalid = List.of(
                "ftp://bob:Qx7Secret1@127.0.0.1:3128",
                "https://bob:Qx7Secret1@127.0.0.1:3128",
                "socks5://bob:Qx7Secret1@127.0.0.1:1080",
                "http://bob:Qx7Secret1@127.0.0.1:3128/path",
                "http://bob:Qx7Secret1@127.0.0.1:3128?q=1",
                // Unencoded '/', '#', ' ' and '?' in a password: java.net.URI misreads or rejects the URL.
                "http://bob:Qx7Sec/Ret9Zz@127.0.0.1:3128",
                "http://bob:Qx7Sec#Ret9Zz@127.0.0.1:3128",
                "http://bob:Qx7Sec?Ret9Zz@127.0.0.1:3128",
                "http://bob:Qx7Sec Ret9Zz@127.0.0.1:3128",
                "http://bob:Qx7Secret1@",
                "bob:Qx7Secret1@");
        for (String value : invalid) {
            CliRun option = CliRun.run(env(), args("metadata", "--ca-file", ca.toString(), "--proxy", value));
            CliRun verbose = CliRun.run(env(), args("metadata", "--ca-file", ca.toString(), "--proxy", value,
                    "--verbose"));
            CliRun fromEnv = CliRun.run(env("HTTPS_PROXY", value), args("metadata", "--ca-file", ca.toString()));

            assertThat(option.exitCode()).as(value + ": " + option).isEqualTo(2);
            assertThat(option.stderr()).as(value).startsWith("recordings: error: --proxy").hasLineCount(1);
            assertThat(verbose.exitCode()).as(value + ": " + verbose).isEqualTo(2);
            assertThat(fromEnv.exitCode()).as(value + ": " + fromEnv).isEqualTo(2);
            assertThat(fromEnv.stderr()).as(value).startsWith("recordings: error: $HTTPS_PROXY").hasLineCount(1);
            for (CliRun r : List.of(option, verbose, fromEnv)) {
                assertThat(r.stdout() + r.stderr()).as(value + ": " + r)
                        .doesNotContain("Qx7").doesNotContain("Secret1").doesNotContain("Ret9Zz");
            }
        }
        assertThat(testkit.server().connectionCount()).as("nothing sent").isZero();
    }

    @Test
    void aMalformedNoProxyListIsExit2NamingTheVariable() {
        ConnectProxy proxy = opened(ConnectProxy.start());

        CliRun r = CliRun.run(env("HTTPS_PROXY", proxy.uri().toString(), "no_proxy", "127.0.0.1/99"),
                args("metadata", "--ca-file", ca.toString()));

        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.stderr()).startsWith("recordings: error: $no_proxy").contains("127.0.0.1/99").hasLineCount(1);
        assertThat(proxy.connectCount()).isZero();
    }
}
