package dev.laml.recordings.testkit;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Both registrations of the extension: per test (instance field) and per class (static field). */
class RecordingsServerExtensionTest {

    @Nested
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class PerTest {
        @RegisterExtension
        final RecordingsServerExtension recordings = new RecordingsServerExtension(
                RecordingsServer.builder().credentials("project", "token"));

        @Test
        @Order(1)
        void servesRecordingsWithTheConfiguredCredentials() {
            TestRecording r = recordings.server().addRecording();
            var response = Http.get(Http.client(), r.jsonUrl(), "Authorization", Http.basic("project", "token"));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(recordings.baseUrl()).isEqualTo(recordings.server().baseUrl());
        }

        @Test
        @Order(2)
        void eachTestGetsAFreshServer() {
            assertThat(recordings.server().recordings()).isEmpty();
            assertThat(recordings.server().requestCount()).isZero();
        }
    }

    @Nested
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class PerClass {
        @RegisterExtension
        static final RecordingsServerExtension shared = new RecordingsServerExtension();
        static RecordingsServer first;
        static TestRecording recording;

        @Test
        @Order(1)
        void startsOnceForTheClass() {
            first = shared.server();
            recording = first.addRecording();
            first.injectFault(recording.sid(), Fault.serverError(503));
            assertThat(Http.get(HttpClient.newHttpClient(), recording.url(Format.WAV)).statusCode()).isEqualTo(503);
        }

        @Test
        @Order(2)
        void keepsRecordingsButResetsCountersAndFaults() {
            assertThat(shared.server()).isSameAs(first);
            assertThat(shared.server().requestCount()).isZero();
            assertThat(Http.get(Http.client(), recording.url(Format.WAV)).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void serverIsUnavailableOutsideOfATest() {
        assertThatThrownBy(() -> new RecordingsServerExtension().server()).isInstanceOf(IllegalStateException.class);
    }
}
