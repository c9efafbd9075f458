package dev.laml.recordings.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a newcomer sees first, and usage errors as scripts see them. */
class UsageTest {

    @Test
    void helpExplainsTheCommandsTheCredentialsAndTheExitCodes() {
        CliRun r = CliRun.run("--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).contains("Usage: recordings", "demo", "metadata", "list", "download", "delete",
                "archive", "serve",
                "SIGNALWIRE_SPACE", "SIGNALWIRE_PROJECT_ID", "SIGNALWIRE_API_TOKEN", "Exit codes:");
        assertThat(r.stdout().lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
    }

    @Test
    void helpNamesTheTrustAndProxySettings() {
        assertThat(CliRun.run("--help").stdout()).contains("SIGNALWIRE_CA_FILE", "https_proxy", "HTTPS_PROXY",
                "no_proxy", "NO_PROXY", "--ca-file", "--proxy", "serve --tls");
        for (String command : new String[] {"metadata", "list", "download", "delete", "archive"}) {
            CliRun r = CliRun.run(command, "--help");
            assertThat(r.stdout()).as(command).contains("--ca-file=PATH", "--proxy=URL", "SIGNALWIRE_CA_FILE",
                    "$https_proxy", "$HTTPS_PROXY", "$no_proxy", "$NO_PROXY", "$http_proxy");
            assertThat(r.stdout().lines()).as(command)
                    .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
        }
        assertThat(CliRun.run("demo", "--help").stdout()).contains("--plain-http", "HTTPS");
        assertThat(CliRun.run("serve", "--help").stdout()).contains("--tls", "--ca-out=FILE");
    }

    @Test
    void everySubcommandHasHelp() {
        for (String command : new String[] {"demo", "metadata", "list", "download", "delete", "archive", "serve"}) {
            CliRun r = CliRun.run(command, "--help");
            assertThat(r.exitCode()).as(command).isZero();
            assertThat(r.stdout()).contains("Usage: recordings " + command);
        }
    }

    @Test
    void listAndDeleteExplainTheirOptions() {
        CliRun list = CliRun.run("list", "--help");
        assertThat(list.stdout()).contains("--since=WHEN", "--until=WHEN", "--call=SID", "--conference=SID",
                "--limit=N", "--json", "--account=SID", "7d", "at or after", "at or before");
        CliRun delete = CliRun.run("delete", "--help");
        assertThat(delete.stdout()).contains("--sid=SID", "-y, --yes", "--account=SID", "[y/N]", "Without a terminal");
        for (CliRun r : new CliRun[] {list, delete}) {
            assertThat(r.exitCode()).isZero();
            assertThat(r.stdout().lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
        }
    }

    @Test
    void versionNamesTheBuild() {
        CliRun r = CliRun.run("--version");

        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).startsWith("recordings ").doesNotContain("${");
    }

    @Test
    void noCommandShowsTheUsageAndExits2() {
        CliRun r = CliRun.run();

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("Usage: recordings");
    }

    @Test
    void usageErrorsAreOneLineAndExit2() {
        CliRun unknownOption = CliRun.run("metadata", "--sid", "x", "--tokn", "secret");
        CliRun missing = CliRun.run("download");
        CliRun unknownCommand = CliRun.run("downlaod");
        // There is deliberately no --token: the token must never be on a command line.
        CliRun token = CliRun.run("metadata", "--sid", "x", "--token", "PTsecret");

        for (CliRun r : new CliRun[] {unknownOption, missing, unknownCommand, token}) {
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
            assertThat(r.stderr()).as(r.toString()).startsWith("recordings: error: ").hasLineCount(1);
            assertThat(r.stdout()).isEmpty();
        }
        assertThat(missing.stderr()).contains("--sid");
        assertThat(unknownCommand.stderr()).contains("download");
        assertThat(token.stderr()).contains("--token-file").doesNotContain("PTsecret");
    }
}
