package dev.laml.recordings.player;

import dev.laml.recordings.RecordingQuery;
import dev.laml.recordings.reactor.RecordingsClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;

/**
 * {@code GET /}: the HTML page listing the account's newest recordings ({@link RecordingsPage}).
 *
 * <p>One API call per page view: the listing asks for one page of exactly {@code player.page-size} recordings and
 * takes that many, so the client's lazy paging never requests a second page. An API failure is answered as
 * {@link UpstreamErrors} says (502, 504, ...).
 *
 * <p>Spring creates it once; thread-safe (immutable). Constructor arguments must not be null; {@link #page()} never
 * returns null and its Mono always emits a response (errors become one).
 */
@RestController
public class PageController {

    private static final Logger log = LoggerFactory.getLogger(PageController.class);
    private static final MediaType TEXT_HTML_UTF8 = new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8);

    private final RecordingsClient client;
    private final PlayerAccount account;
    private final int pageSize;

    /** Spring's constructor. */
    public PageController(RecordingsClient client, PlayerAccount account, PlayerProperties properties) {
        this.client = client;
        this.account = account;
        this.pageSize = properties.pageSize();
    }

    /** The page, or a one-line error when the listing failed. */
    @GetMapping("/")
    public Mono<ResponseEntity<String>> page() {
        return client.list(account.sid(), RecordingQuery.all().pageSize(pageSize))
                .take(pageSize)
                .collectList()
                .map(recordings -> ResponseEntity.ok()
                        .contentType(TEXT_HTML_UTF8)
                        .body(RecordingsPage.render(account.sid(), recordings, pageSize)))
                .onErrorResume(error -> {
                    log.warn("listing recordings failed: {}", error.toString());
                    return Mono.just(UpstreamErrors.response(error));
                });
    }
}
