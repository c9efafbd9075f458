package dev.laml.recordings.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The User-Agent says the version the build gave this library, and survives a resource that was never filled in. */
class UserAgentTest {

    /** The version in this module's pom (its parent's): what the build filtered into version.properties. */
    static String versionInThePom() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher m = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL).matcher(pom);
        assertThat(m.find()).as("pom.xml names its parent's version").isTrue();
        return m.group(1).trim();
    }

    @Test
    void theHeaderCarriesTheBuildsVersion() throws IOException {
        assertThat(UserAgent.VALUE)
                .isEqualTo("laml-recordings/" + versionInThePom() + " (+https://github.com/dev-laml/laml-recordings)");
    }

    @Test
    void aFilledInResourceGivesItsVersion() {
        assertThat(UserAgent.fromResource(stream("version=1.2.3\n"))).isEqualTo("1.2.3");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"version=${project.version}", "version=", "other=1.0", "version=1.0 beta", "version=1.0\\r\\nX: y"})
    void aResourceNeverFilledInOrUnsafeForAHeaderGivesNoVersion(String content) {
        assertThat(UserAgent.fromResource(stream(content))).isNull();
    }

    @Test
    void noResourceGivesNoVersionRatherThanAFailure() {
        assertThat(UserAgent.fromResource(null)).isNull();
    }

    private static ByteArrayInputStream stream(String content) {
        return new ByteArrayInputStream(content.getBytes(StandardCharsets.ISO_8859_1));
    }
}
