package dev.laml.recordings.reactor.internal;

import dev.laml.recordings.reactor.TlsEngine;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine choice, on a platform with and without a loadable OpenSSL. */
class TlsSetupTest {

    @Test
    void autoTakesOpenSslWhereItLoadsAndTheJdkElsewhere() {
        assertThat(TlsSetup.provider(TlsEngine.AUTO, true, null)).isEqualTo(SslProvider.OPENSSL);
        assertThat(TlsSetup.provider(TlsEngine.AUTO, false, new UnsatisfiedLinkError("no tcnative"))).isEqualTo(SslProvider.JDK);
        assertThat(TlsSetup.provider(TlsEngine.JDK, true, null)).isEqualTo(SslProvider.JDK);
    }

    @Test
    void openSslWhereItDoesNotLoadFailsClearlyInsteadOfRunningSlower() {
        UnsatisfiedLinkError why = new UnsatisfiedLinkError("no netty_tcnative_linux_riscv64 in java.library.path");

        assertThatThrownBy(() -> TlsSetup.provider(TlsEngine.OPENSSL, false, why))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("TlsEngine.OPENSSL is not available on this platform")
                .hasMessageContaining("netty_tcnative_linux_riscv64")
                .hasMessageContaining("use TlsEngine.AUTO or TlsEngine.JDK")
                .hasCause(why);
    }
}
