package dev.laml.recordings.spring;

import dev.laml.recordings.reactor.RecordingsClient;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration processor's metadata (what IDEs complete) lists every property with its javadoc as the
 * description, and every builder setting that can be a property is one.
 */
class ConfigurationMetadataTest {

    private static final Set<String> PROPERTIES = Set.of(
            "space", "base-url", "project-id", "api-token", "account-sid",
            "allow-insecure-http", "send-credentials-to-media", "max-metadata-bytes",
            "max-connections", "pending-acquire-max-count", "pending-acquire-timeout", "max-idle-time",
            "connect-timeout", "response-timeout", "idle-timeout",
            "retry.max-attempts", "retry.base-delay", "retry.max-delay", "retry.max-retry-after",
            "retry.resume-without-progress-for", "retry.max-resume-delay", "retry-not-found-for", "durable-files",
            "tls-engine", "trusted-certificates", "tls-handshake-timeout", "proxy", "no-proxy", "media-hosts");

    /** Builder settings that are not one property of the same name, and where they went. */
    private static final Map<String, Set<String>> NOT_BY_NAME = Map.of(
            "credentials", Set.of("project-id", "api-token"),
            "retryPolicy", Set.of("retry.max-attempts", "retry.base-delay", "retry.max-delay", "retry.max-retry-after",
                    "retry.resume-without-progress-for", "retry.max-resume-delay"),
            "meterRegistry", Set.of(), // a bean: the MeterRegistry in the context
            "trustManagerFactory", Set.of()); // an object: define a RecordingsClient bean for it

    @Test
    void theEventsEndpointsPropertiesAreListedWithADescription() throws Exception {
        Map<String, JsonNode> events = new HashMap<>();
        listedProperties().forEach((name, p) -> {
            if (name.startsWith("laml.recordings.events.")) {
                events.put(name, p);
            }
        });
        assertThat(events.keySet()).containsExactlyInAnyOrderElementsOf(Set.of("path", "signing-key",
                "previous-signing-key", "public-url", "trust-forwarded-headers", "inbox", "account-sid").stream()
                .map(p -> "laml.recordings.events." + p).toList());
        events.forEach((name, property) -> assertThat(property.path("description").asString()).as(name).isNotBlank());
    }

    @Test
    void everyPropertyIsListedWithADescription() throws Exception {
        Map<String, JsonNode> listed = listedProperties();
        // The events endpoint's properties have their own test (and defaults of their own: a path, a file).
        listed.keySet().removeIf(name -> name.startsWith("laml.recordings.events."));

        assertThat(listed.keySet()).containsExactlyInAnyOrderElementsOf(
                PROPERTIES.stream().map(p -> "laml.recordings." + p).toList());
        listed.forEach((name, property) -> assertThat(property.path("description").asString()).as(name).isNotBlank());
        assertThat(listed.get("laml.recordings.api-token").path("description").asString())
                .startsWith("API token for HTTP Basic auth");
        assertThat(listed.get("laml.recordings.connect-timeout").path("type").asString()).isEqualTo("java.time.Duration");
        assertThat(listed.get("laml.recordings.tls-engine").path("type").asString())
                .isEqualTo("dev.laml.recordings.reactor.TlsEngine");
        // Defaults are the client's, and documented there; the metadata must not claim others.
        listed.forEach((name, property) -> assertThat(property.has("defaultValue")).as(name).isFalse());
    }

    @Test
    void everyBuilderSettingIsAPropertyOrAccountedFor() throws Exception {
        Set<String> listed = listedProperties().keySet();
        Set<String> settings = Arrays.stream(RecordingsClient.Builder.class.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && m.getReturnType() == RecordingsClient.Builder.class)
                .map(Method::getName).collect(Collectors.toCollection(TreeSet::new));
        Map<String, Set<String>> where = new HashMap<>();
        for (String setting : settings) {
            where.put(setting, NOT_BY_NAME.getOrDefault(setting, Set.of(kebab(setting))));
        }
        where.put("retryNotFoundFor", Set.of("retry-not-found-for"));

        assertThat(settings).containsAll(NOT_BY_NAME.keySet());
        where.forEach((setting, properties) -> properties.forEach(property ->
                assertThat(listed).as("builder setting %s", setting).contains("laml.recordings." + property)));
    }

    private static Map<String, JsonNode> listedProperties() throws Exception {
        // The file this module's build wrote (other jars on the class path carry their own).
        Path file = Path.of("target/classes/META-INF/spring-configuration-metadata.json");
        JsonNode root = JsonMapper.builder().build().readTree(Files.readString(file));
        Map<String, JsonNode> byName = new HashMap<>();
        root.path("properties").forEach(p -> byName.put(p.path("name").asString(), p));
        return byName;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }
}
