package dev.laml.recordings.benchmarks.clients;

import java.net.URI;
import java.util.Set;

/** One way of downloading recordings; {@link #create} knows them all by their benchmark name. */
public interface Downloader extends AutoCloseable {

    /** The names {@link #create} accepts, in the order the benchmarks list them. */
    String[] NAMES = {"laml", "reactorNettyRaw", "reactorNettyCopy", "jdkHttpClient", "webClientByteBuffer", "webClient", "rawSocket",
            "lamlJdkTls", "reactorNettyCopyJdkTls", "reactorNettyH2", "reactorNettyH2Tuned"};

    /** Clients that exist only over TLS: a JDK-engine variant, or HTTP/2 (which this benchmark offers only by ALPN). */
    Set<String> TLS_ONLY = Set.of("lamlJdkTls", "reactorNettyCopyJdkTls", "reactorNettyH2", "reactorNettyH2Tuned");

    /** Clients without a TLS variant. */
    Set<String> PLAIN_ONLY = Set.of("rawSocket");

    /**
     * Downloads the recording {@code sid} {@code n} times at once, blocks until every download
     * completed, checks that each delivered exactly {@code size} bytes, and returns the xor of
     * their folds.
     */
    long downloadAll(int n, String sid, long size);

    @Override
    void close();

    /** Why {@code name} cannot run with or without TLS; null when it can. */
    static String unsupported(String name, boolean tls) {
        if (tls && PLAIN_ONLY.contains(name)) {
            return name + " has no TLS variant";
        }
        if (!tls && TLS_ONLY.contains(name)) {
            return name + " runs only over TLS";
        }
        return null;
    }

    /** A plain-HTTP downloader, see {@link #create(String, URI, int, Trust)}. */
    static Downloader create(String name, URI base, int maxConcurrency) {
        return create(name, base, maxConcurrency, null);
    }

    /**
     * A downloader for {@code name} (one of {@link #NAMES}), sized so that {@code maxConcurrency}
     * downloads never wait for a connection. {@code trust} null: plain HTTP; else HTTPS
     * ({@code base} is {@code https://127.0.0.1:port}) trusting exactly that certificate,
     * hostname verification on. Over TLS, Netty-based clients use OpenSSL unless their name ends
     * in {@code JdkTls}; the JDK HttpClient has only the JDK's engine.
     *
     * @throws IllegalArgumentException for an unknown name or one {@link #unsupported} rejects
     */
    static Downloader create(String name, URI base, int maxConcurrency, Trust trust) {
        String why = unsupported(name, trust != null);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
        switch (name) {
            case "laml":
                return new LamlDownloader(base, maxConcurrency, trust, false);
            case "lamlJdkTls":
                return new LamlDownloader(base, maxConcurrency, trust, true);
            case "reactorNettyRaw":
                return new ReactorNettyDownloader(base, maxConcurrency, false, trust, false);
            case "reactorNettyCopy":
                return new ReactorNettyDownloader(base, maxConcurrency, true, trust, false);
            case "reactorNettyCopyJdkTls":
                return new ReactorNettyDownloader(base, maxConcurrency, true, trust, true);
            case "reactorNettyH2":
                return new ReactorNettyH2Downloader(base, maxConcurrency, trust, false);
            case "reactorNettyH2Tuned":
                return new ReactorNettyH2Downloader(base, maxConcurrency, trust, true);
            case "jdkHttpClient":
                return new JdkDownloader(base, trust);
            case "webClientByteBuffer":
                return new WebClientDownloader(base, maxConcurrency, true, trust);
            case "webClient":
                return new WebClientDownloader(base, maxConcurrency, false, trust);
            case "rawSocket":
                return new RawSocketDownloader(base);
            default:
                throw new IllegalArgumentException("unknown client " + name);
        }
    }
}
