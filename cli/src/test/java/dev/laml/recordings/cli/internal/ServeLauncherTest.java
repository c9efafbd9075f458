package dev.laml.recordings.cli.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.cert.Certificate;

import static org.assertj.core.api.Assertions.assertThat;

/** How {@code serve} names this tool in the commands it prints. */
class ServeLauncherTest {

    @TempDir
    Path dir;

    @Test
    void fromAJarTheToolIsJavaDashJarWithTheJarsAbsolutePathQuotedForTheShell() throws Exception {
        Path jar = Files.createFile(Files.createDirectories(dir.resolve("my tools")).resolve("recordings.jar"));

        assertThat(ServeCommand.launcher(at(jar))).isEqualTo("java -jar '" + jar.toAbsolutePath() + "'");
    }

    @Test
    void fromClassesOrAnUnknownPlaceTheToolIsItsPlainName() throws Exception {
        Path classes = Files.createDirectories(dir.resolve("classes"));

        assertThat(ServeCommand.launcher(at(classes))).isEqualTo("recordings");
        assertThat(ServeCommand.launcher(at(dir.resolve("gone.jar")))).isEqualTo("recordings");
        assertThat(ServeCommand.launcher(null)).isEqualTo("recordings");
    }

    private static CodeSource at(Path location) throws Exception {
        return new CodeSource(location.toUri().toURL(), (Certificate[]) null);
    }
}
