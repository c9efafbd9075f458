package dev.laml.recordings.player;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The page's escaping rules, alone. */
class RecordingsPageTest {

    @Test
    void textAndAttributesAreEscaped() {
        assertThat(RecordingsPage.html("a<b>&\"c\"'d'")).isEqualTo("a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;");
        assertThat(RecordingsPage.html("plain")).isEqualTo("plain");
    }

    @Test
    void aSidInALinkIsOnePathSegment() {
        assertThat(RecordingsPage.pathSegment("3f0c6d0e-6f0a-4e7b-9d2a-1c2b3d4e5f60"))
                .isEqualTo("3f0c6d0e-6f0a-4e7b-9d2a-1c2b3d4e5f60");
        assertThat(RecordingsPage.pathSegment("../x?y=\"1\" é")).isEqualTo("..%2Fx%3Fy%3D%221%22%20%C3%A9");
    }

    @Test
    void anAccountWithoutRecordings() {
        String html = RecordingsPage.render("acc<1>", List.of(), 20);

        assertThat(html).contains("<code>acc&lt;1&gt;</code>: no recordings yet.").doesNotContain("<table");
    }
}
