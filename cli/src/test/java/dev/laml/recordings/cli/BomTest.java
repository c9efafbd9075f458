package dev.laml.recordings.cli;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps {@code bom/pom.xml} in step with the build: it manages exactly the published modules (every module of the
 * parent that is not a {@code pom} and does not set {@code maven.deploy.skip}), at the project's version, and does not
 * inherit the parent (whose third-party versions would otherwise reach every project importing the BOM). Lives in the
 * CLI's tests because the CLI is built after every published module.
 */
class BomTest {

    private static final Path ROOT = Path.of("..");

    @Test
    void theBomManagesExactlyThePublishedArtifactsAtTheProjectsVersion() throws Exception {
        Element parent = pom(ROOT.resolve("pom.xml"));
        Set<String> published = new TreeSet<>();
        for (Element module : children(child(parent, "modules"), "module")) {
            Element pom = pom(ROOT.resolve(module.getTextContent().strip()).resolve("pom.xml"));
            Element properties = child(pom, "properties");
            boolean skipped = properties != null && child(properties, "maven.deploy.skip") != null
                    && "true".equals(child(properties, "maven.deploy.skip").getTextContent().strip());
            boolean aggregate = child(pom, "packaging") != null
                    && "pom".equals(child(pom, "packaging").getTextContent().strip());
            if (!skipped && !aggregate) {
                published.add(text(pom, "artifactId"));
            }
        }

        Element bom = pom(ROOT.resolve("bom/pom.xml"));
        Set<String> managed = new TreeSet<>();
        for (Element dependency : children(child(child(bom, "dependencyManagement"), "dependencies"), "dependency")) {
            assertThat(text(dependency, "groupId")).isEqualTo("dev.laml");
            assertThat(text(dependency, "version")).as(text(dependency, "artifactId")).isEqualTo("${project.version}");
            managed.add(text(dependency, "artifactId"));
        }

        assertThat(published).as("published modules").contains("laml-recordings-core", "laml-recordings-reactor",
                "laml-recordings-events");
        assertThat(managed).isEqualTo(published);
        assertThat(child(bom, "parent")).as("the BOM inherits nothing").isNull();
        assertThat(text(bom, "version")).isEqualTo(text(parent, "version"));
        assertThat(text(bom, "groupId")).isEqualTo(text(parent, "groupId"));
        assertThat(text(bom, "packaging")).isEqualTo("pom");
    }

    private static Element pom(Path file) throws Exception {
        assertThat(file).exists();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        try (var in = Files.newInputStream(file)) {
            return factory.newDocumentBuilder().parse(in).getDocumentElement();
        }
    }

    private static String text(Element parent, String name) {
        Element element = child(parent, name);
        assertThat(element).as(name).isNotNull();
        return element.getTextContent().strip();
    }

    private static Element child(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0);
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        if (parent == null) {
            return found;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && name.equals(e.getLocalName() != null ? e.getLocalName() : e.getNodeName())) {
                found.add(e);
            }
        }
        return found;
    }
}
