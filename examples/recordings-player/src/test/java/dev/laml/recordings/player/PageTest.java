package dev.laml.recordings.player;

import dev.laml.recordings.testkit.Fault;
import dev.laml.recordings.testkit.RecordedRequest;
import dev.laml.recordings.testkit.RecordingSpec;
import dev.laml.recordings.testkit.RecordingsServer;
import dev.laml.recordings.testkit.TestRecording;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.laml.recordings.player.Http.header;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /}: the newest recordings of the account, from one API page, rendered as escaped HTML. */
class PageTest {

    private static final String HOSTILE = "<script>alert(\"x\")</script> & 'q'";

    private static RecordingsServer api;
    private static RunningPlayer player;
    private static final List<TestRecording> recordings = new ArrayList<>(); // oldest first

    @BeforeAll
    static void start() {
        api = RecordingsServer.start();
        OffsetDateTime first = OffsetDateTime.of(2026, 1, 5, 8, 0, 0, 0, ZoneOffset.UTC);
        for (int i = 0; i < 4; i++) {
            recordings.add(api.addRecording(RecordingSpec.create().seed(100 + i).durationSeconds(60 * i + 5)
                    .dateCreated(first.plusDays(i))));
        }
        // The newest, with a status no API should send: the page must show it as text.
        recordings.add(api.addRecording(RecordingSpec.create().seed(200).durationSeconds(3725).status(HOSTILE)
                .dateCreated(first.plusDays(9))));
        player = RunningPlayer.start(api, "--player.page-size=3");
    }

    @AfterAll
    static void stop() {
        RunningPlayer.stop(player, api);
    }

    @BeforeEach
    void reset() {
        api.clearFaults();
        api.resetCounters();
    }

    @Test
    void theNewestRecordingsFromOneApiPage() {
        HttpResponse<byte[]> response = Http.get(player.uri("/"));
        String html = new String(response.body(), StandardCharsets.UTF_8);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(header(response, "Content-Type")).isEqualTo("text/html;charset=UTF-8");
        assertThat(html).startsWith("<!DOCTYPE html>").contains("the 3 newest recordings");
        assertThat(rowSids(html)).containsExactly(recordings.get(4).sid(), recordings.get(3).sid(),
                recordings.get(2).sid());
        TestRecording completed = recordings.get(3);
        assertThat(html).contains("<audio controls preload=\"metadata\" src=\"/recordings/" + completed.sid()
                        + ".mp3\"></audio>")
                .contains("<time datetime=\"2026-01-08T08:00:00Z\">2026-01-08 08:00:00</time>")
                .contains("<td class=\"duration\">3:05</td>")
                .contains("<td class=\"duration\">1:02:05</td>");
        // The page came from one page of the configured size, the first one.
        List<RecordedRequest> lists = awaitListRequests();
        List<RecordedRequest> firstPages = lists.stream().filter(r -> !r.target().contains("PageToken")).toList();
        assertThat(firstPages).singleElement().satisfies(r -> assertThat(r.target()).contains("PageSize=3"));
        // take(n) of a page of n ends the listing there: no request for the next page (the Pager checks
        // for cancellation before it fetches; ListAndDeleteTest pins that in the client).
        assertThat(lists).singleElement();
    }

    @Test
    void whatTheApiSendsIsShownAsTextNeverAsMarkup() {
        String html = new String(Http.get(player.uri("/")).body(), StandardCharsets.UTF_8);

        assertThat(html).contains("<td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</td>")
                .doesNotContain("<script>");
        // Not completed, so nothing to play.
        assertThat(rowOf(html, recordings.get(4).sid())).contains("not available yet").doesNotContain("<audio");
    }

    @Test
    void aFailingApiIs502() {
        api.enqueueFaults(10, Fault.status(503));

        HttpResponse<byte[]> response = Http.get(player.uri("/"));

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(header(response, "Content-Type")).startsWith("text/plain");
        assertThat(new String(response.body(), StandardCharsets.UTF_8))
                .isEqualTo("Bad gateway: the recordings API answered 503.\n");
    }

    /** The list requests the API saw, once a late one would have arrived. */
    private static List<RecordedRequest> awaitListRequests() {
        AudioStreamingTest.sleep(300);
        return api.recordedRequests().stream().filter(r -> r.path().endsWith("/Recordings.json")).toList();
    }

    private static List<String> rowSids(String html) {
        Matcher m = Pattern.compile("<tr data-sid=\"([^\"]+)\">").matcher(html);
        List<String> sids = new ArrayList<>();
        while (m.find()) {
            sids.add(m.group(1));
        }
        return sids;
    }

    private static String rowOf(String html, String sid) {
        int start = html.indexOf("<tr data-sid=\"" + sid + "\">");
        assertThat(start).as("row of " + sid).isNotNegative();
        return html.substring(start, html.indexOf("</tr>", start));
    }
}
