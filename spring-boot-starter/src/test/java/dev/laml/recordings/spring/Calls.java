package dev.laml.recordings.spring;

// The README's Spring Boot service, verbatim from the marker on (ReadmeTest compares). The import of
// RecordingsProperties is redundant in this package, and there for a reader whose service lives in their own.
// README:start
import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.reactor.RecordingsClient;
import dev.laml.recordings.spring.RecordingsProperties;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;

import java.nio.ByteBuffer;

@Service
class Calls {
    private final RecordingsClient client;
    private final String accountSid;

    Calls(RecordingsClient client, RecordingsProperties properties) {
        this.client = client;
        this.accountSid = properties.getAccountSid();
    }

    Flux<ByteBuffer> audio(String recordingSid) {
        return client.download(accountSid, recordingSid, AudioFormat.MP3);
    }
}
// README:end
