package dev.laml.recordings.player;

import dev.laml.recordings.testkit.RecordingsServer;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * The player app started in this JVM, as {@code java -jar} would start it, on a free port of 127.0.0.1 and pointed at
 * a testkit server. Tests talk to it over real sockets. Not thread-safe; one test class owns one.
 */
final class RunningPlayer implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final URI baseUrl;

    private RunningPlayer(ConfigurableApplicationContext context) {
        this.context = context;
        this.baseUrl = URI.create("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port"));
    }

    /** Starts the app against {@code upstream}; {@code extraArgs} are more {@code --name=value} properties. */
    static RunningPlayer start(RecordingsServer upstream, String... extraArgs) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--server.address=127.0.0.1",
                "--spring.main.banner-mode=off",
                "--logging.level.root=WARN",
                "--laml.recordings.base-url=" + upstream.baseUrl(),
                "--laml.recordings.project-id=" + upstream.projectId(),
                "--laml.recordings.api-token=" + upstream.apiToken(),
                "--laml.recordings.account-sid=" + upstream.accountSid()));
        args.addAll(List.of(extraArgs));
        SpringApplication app = new SpringApplication(RecordingsPlayerApplication.class);
        return new RunningPlayer(app.run(args.toArray(String[]::new)));
    }

    /** {@code http://127.0.0.1:PORT}, no trailing slash. */
    URI baseUrl() {
        return baseUrl;
    }

    /** {@code path} on the player. */
    URI uri(String path) {
        return baseUrl.resolve(path);
    }

    @Override
    public void close() {
        context.close();
    }

    /** Stops a test class's player, then its API server; either may be null (a failed start). */
    static void stop(RunningPlayer player, RecordingsServer api) {
        if (player != null) {
            player.close();
        }
        if (api != null) {
            api.close();
        }
    }
}
