package dev.laml.recordings.spring;

import dev.laml.recordings.reactor.RecordingsClient;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.context.properties.ConfigurationPropertiesReportEndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.env.EnvironmentEndpointAutoConfiguration;
import org.springframework.boot.actuate.context.properties.ConfigurationPropertiesReportEndpoint;
import org.springframework.boot.actuate.context.properties.ConfigurationPropertiesReportEndpoint.ConfigurationPropertiesBeanDescriptor;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.actuate.env.EnvironmentEndpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The token, and a proxy's password, stay masked in the actuator's configprops and env endpoints even when an
 * application asks for values to be shown; everything else is shown as asked.
 */
class ActuatorMaskingTest {

    private static final String TOKEN = "s3cr3t-t0ken-value";
    private static final String PASSWORD = "pr0xy-pa55";

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RecordingsAutoConfiguration.class,
                    ConfigurationPropertiesReportEndpointAutoConfiguration.class, EnvironmentEndpointAutoConfiguration.class))
            .withPropertyValues("management.endpoints.web.exposure.include=configprops,env",
                    "laml.recordings.space=example",
                    "laml.recordings.project-id=my-project",
                    "laml.recordings.api-token=" + TOKEN,
                    "laml.recordings.proxy=http://proxy-user:" + PASSWORD + "@proxy.example:3128",
                    "laml.recordings.no-proxy=localhost");

    @Test
    void withShowValuesAlwaysConfigpropsShowsTheValuesButNotTheTokenNorTheProxyPassword() {
        runner.withPropertyValues("management.endpoint.configprops.show-values=ALWAYS").run(context -> {
            ConfigurationPropertiesBeanDescriptor bean = recordingsBean(context);
            Map<String, Object> properties = bean.getProperties();
            assertThat(properties).containsEntry("space", "example").containsEntry("projectId", "my-project")
                    .containsEntry("apiToken", "******")
                    .containsEntry("proxy", "http://proxy-user:******@proxy.example:3128");
            assertThat(input(bean, "apiToken")).containsEntry("value", "******");
            assertThat(input(bean, "proxy")).containsEntry("value", "http://proxy-user:******@proxy.example:3128");
            assertThat(input(bean, "projectId")).containsEntry("value", "my-project");
            assertThat(String.valueOf(properties) + bean.getInputs()).doesNotContain(TOKEN).doesNotContain(PASSWORD);
        });
    }

    @Test
    void withShowValuesAlwaysEnvShowsNeitherTheTokenNorTheProxyPassword() {
        runner.withPropertyValues("management.endpoint.env.show-values=ALWAYS").run(context -> {
            EnvironmentEndpoint env = context.getBean(EnvironmentEndpoint.class);
            assertThat(env.environmentEntry("laml.recordings.api-token").getProperty().getValue()).isEqualTo("******");
            assertThat(env.environmentEntry("laml.recordings.proxy").getProperty().getValue())
                    .isEqualTo("http://proxy-user:******@proxy.example:3128");
            assertThat(env.environmentEntry("laml.recordings.project-id").getProperty().getValue()).isEqualTo("my-project");
        });
    }

    @Test
    void byDefaultEverythingIsMasked() {
        runner.run(context -> {
            Map<String, Object> properties = recordingsBean(context).getProperties();
            assertThat(properties).containsEntry("apiToken", "******").containsEntry("projectId", "******");
        });
    }

    @Test
    void withoutTheActuatorNoSanitizingFunctionIsRegistered() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RecordingsAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader(SanitizingFunction.class))
                .withPropertyValues("laml.recordings.space=example")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(RecordingsClient.class)
                        .doesNotHaveBean(SanitizingFunction.class));
    }

    private static ConfigurationPropertiesBeanDescriptor recordingsBean(AssertableApplicationContext context) {
        return context.getBean(ConfigurationPropertiesReportEndpoint.class).configurationProperties().getContexts()
                .get(context.getId()).getBeans().values().stream()
                .filter(b -> b.getPrefix().equals("laml.recordings")).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> input(ConfigurationPropertiesBeanDescriptor bean, String name) {
        return (Map<String, Object>) bean.getInputs().get(name);
    }
}
