package dev.laml.recordings.benchmarks.prototype;

import dev.laml.recordings.ApiException;
import dev.laml.recordings.PoolExhaustedException;
import dev.laml.recordings.ResponseTimeoutException;
import dev.laml.recordings.TransferException;
import dev.laml.recordings.protocol.ApiRequest;
import dev.laml.recordings.protocol.RecordingsProtocol;
import io.netty.channel.ChannelException;
import io.netty.handler.timeout.ReadTimeoutException;

import java.io.IOException;
import java.time.Duration;

/**
 * Classifies what the transport throws, so that callers see only the library's own types: an
 * {@link ApiException} when the server answered, a {@link TransferException} (an
 * {@link IOException}) when bytes stopped moving.
 */
public final class Transport {

    private Transport() {
    }

    /** True for failures of the connection itself, which the caller should see as a {@link TransferException}. */
    public static boolean isTransportFailure(Throwable t) {
        return !(t instanceof TransferException)
                && (t instanceof IOException || t instanceof ChannelException
                || t instanceof io.netty.handler.timeout.TimeoutException
                || t instanceof java.util.concurrent.TimeoutException);
    }

    /** Reactor Netty's pool signals (shaded, internal types, so matched by name). */
    static boolean isPoolExhaustion(Throwable t) {
        String name = t.getClass().getSimpleName();
        return name.equals("PoolAcquirePendingLimitException") || name.equals("PoolAcquireTimeoutException");
    }

    /** Maps a transport failure of {@code request} to the library's type; anything else passes unchanged. */
    public static Throwable translate(ApiRequest request, RecordingsProtocol protocol, Duration responseTimeout, Throwable t) {
        if (isPoolExhaustion(t)) {
            return new PoolExhaustedException(request.describe() + ": no connection available ("
                    + (t.getClass().getSimpleName().contains("Timeout")
                    ? "waited longer than the pending-acquire timeout"
                    : "all connections busy and the pending-acquire queue is full")
                    + "); raise maxConnections or pendingAcquireMaxCount, or lower the concurrency", t);
        }
        if (t instanceof ReadTimeoutException) {
            return new ResponseTimeoutException(request.describe() + ": no response headers within " + responseTimeout, t);
        }
        if (isTransportFailure(t)) {
            return protocol.transferFailed(request, t);
        }
        return t;
    }
}
