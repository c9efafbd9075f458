package dev.laml.recordings.benchmarks.clients;

import java.net.URI;

/** One way of downloading recordings; {@link #create} knows them all by their benchmark name. */
public interface Downloader extends AutoCloseable {

    /** The names {@link #create} accepts, in the order the benchmarks list them. */
    String[] NAMES = {"laml", "reactorNettyRaw", "reactorNettyCopy", "jdkHttpClient", "webClientByteBuffer", "webClient", "rawSocket"};

    /**
     * Downloads the recording {@code sid} {@code n} times at once, blocks until every download
     * completed, checks that each delivered exactly {@code size} bytes, and returns the xor of
     * their folds.
     */
    long downloadAll(int n, String sid, long size);

    @Override
    void close();

    /**
     * A downloader for {@code name} (one of {@link #NAMES}),
     * sized so that {@code maxConcurrency} downloads never wait for a connection.
     */
    static Downloader create(String name, URI base, int maxConcurrency) {
        switch (name) {
            case "laml":
                return new LamlDownloader(base, maxConcurrency);
            case "reactorNettyRaw":
                return new ReactorNettyDownloader(base, maxConcurrency, false);
            case "reactorNettyCopy":
                return new ReactorNettyDownloader(base, maxConcurrency, true);
            case "jdkHttpClient":
                return new JdkDownloader(base);
            case "webClientByteBuffer":
                return new WebClientDownloader(base, maxConcurrency, true);
            case "webClient":
                return new WebClientDownloader(base, maxConcurrency, false);
            case "rawSocket":
                return new RawSocketDownloader(base);
            default:
                throw new IllegalArgumentException("unknown client " + name);
        }
    }
}
