package dev.laml.recordings;

/**
 * The configured proxy did not open the way to the server: it could not be reached, it refused
 * the tunnel ({@code CONNECT} answered with a non-2xx status, a SOCKS failure), or it asked for
 * credentials the client did not have or that it rejected ({@code 407 Proxy Authentication
 * Required}).
 *
 * <p>The message names the proxy's {@code host:port}, the target and the proxy's answer; it never
 * contains the proxy's credentials. Never retried: a proxy that refuses once refuses again, and a
 * {@code 407} repeated with the same credentials can lock an account. A tunnel that breaks
 * mid-body after it was opened is an ordinary {@link TransferException}, resumed like any other
 * broken transfer.
 *
 * <p>Immutable once created; safe to share between threads.
 */
public class ProxyException extends TransferException {

    private static final long serialVersionUID = 1L;

    public ProxyException(String message, Throwable cause) {
        super(message, cause);
    }
}
