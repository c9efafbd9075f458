package dev.laml.recordings.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps the README's CLI and testkit sections honest. */
class ReadmeTest {

    private static final Path README = Path.of("..", "README.md");

    @Test
    void theTestkitExampleIsTheCompiledAndTestedOne() throws IOException {
        String source = Files.readString(Path.of("src/test/java/dev/laml/recordings/cli/TestkitExampleTest.java"),
                StandardCharsets.UTF_8);
        int start = source.indexOf("// README:start\n") + "// README:start\n".length();
        String snippet = source.substring(start, source.indexOf("// README:end", start));

        assertThat(Files.readString(README, StandardCharsets.UTF_8)).contains(snippet);
    }

    @Test
    void theCliTableHasARowForEveryCommand() throws IOException {
        String help = CliRun.run("--help").stdout();
        List<String> commands = help.substring(help.indexOf("Commands:")).lines().skip(1)
                .takeWhile(line -> !line.isBlank())
                .filter(line -> line.startsWith("  ") && !line.startsWith("   "))
                .map(line -> line.strip().split("\\s+")[0])
                .toList();
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        String cli = readme.substring(readme.indexOf("## CLI"), readme.indexOf("\n## ", readme.indexOf("## CLI") + 1));

        assertThat(commands).contains("demo", "metadata", "list", "download", "delete", "archive", "serve");
        for (String command : commands) {
            assertThat(cli).as(command).contains("| `" + command + " ");
        }
    }

    @Test
    void theSetUpCommandsAreTheOnesThatWork() throws IOException {
        assertThat(Files.readString(README, StandardCharsets.UTF_8))
                .contains("mvn -q -B install -DskipTests && java -jar cli/target/recordings.jar demo")
                .contains("mvn -B verify");
    }
}
