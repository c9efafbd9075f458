package dev.laml.recordings.reactor;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.laml.recordings.RetryPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.net.URI;
import java.time.Duration;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The set-up of the tests that talk to WireMock through a client: before each test, a WireMock server on a free
 * loopback port ({@link #wm}) and a client of it with the test credentials ({@link #client}); after it, both closed.
 * A subclass's own {@code @BeforeEach} runs after this one's, so it can stub the server; it changes the client's
 * settings by overriding {@link #configure}.
 */
abstract class AgainstWireMock {

    /** The server of the current test; started. */
    WireMockServer wm;
    /** The client of {@link #wm}, configured by {@link #configure}. */
    RecordingsClient client;

    @BeforeEach
    void startWireMockAndClient() {
        wm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        client = configure(RecordingsClient.builder().baseUrl(URI.create("http://127.0.0.1:" + wm.port()))
                .credentials(TestData.PROJECT, TestData.TOKEN)).build();
    }

    @AfterEach
    void closeClientAndWireMock() {
        client.close();
        wm.stop();
    }

    /**
     * Asserts the lazy-paging contract of a list whose stubs answer two pages, of two items and then one: nothing is
     * requested before demand, page 2 only once demand goes past page 1, and nothing more after the last page.
     */
    void assertPagesAreRequestedOnlyOnDemand(Flux<?> twoPagesOfTwoThenOne) {
        StepVerifier.create(twoPagesOfTwoThenOne, 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(300))
                .then(() -> assertThat(wm.getAllServeEvents()).isEmpty())
                .thenRequest(2)
                .expectNextCount(2)
                .expectNoEvent(Duration.ofMillis(300))
                .then(() -> assertThat(wm.getAllServeEvents()).hasSize(1)) // page 2 not fetched yet
                .thenRequest(1)
                .expectNextCount(1)
                .verifyComplete();
        assertThat(wm.getAllServeEvents()).hasSize(2);
    }

    /**
     * The client's settings beyond the server and credentials; by default retries as the library makes them, with
     * 5 ms between attempts, so that a retried exchange does not slow the tests.
     */
    RecordingsClient.Builder configure(RecordingsClient.Builder builder) {
        return builder.retryPolicy(RetryPolicy.defaults().baseDelay(Duration.ofMillis(5)));
    }
}
