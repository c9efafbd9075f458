package dev.laml.recordings.spring.internal;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class ProxyUrisTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "http://proxy.example:3128                 | http://proxy.example:3128",
            "socks5://127.0.0.1:1080                   | socks5://127.0.0.1:1080",
            "http://user:pw@proxy.example:3128         | http://user:******@proxy.example:3128",
            "http://user:p%40ss@proxy.example          | http://user:******@proxy.example",
            "http://user:@proxy.example:3128           | http://user:******@proxy.example:3128",
            "http://token@proxy.example:3128           | http://******@proxy.example:3128",
            "HTTP://user:pw@proxy.example:3128/        | HTTP://user:******@proxy.example:3128/",
            // An unencoded '@', '/' or '#' in the password: where the user info ends cannot be told.
            "http://user:p@ss@proxy.example:3128       | ******",
            "http://user:p/ss@proxy.example:3128       | ******",
            "http://user:p#ss@proxy.example:3128       | ******",
            "http://user:p ss@proxy.example:3128       | ******",
            "user:pw@proxy.example:3128                | ******",
            "not a uri                                 | not a uri",
    })
    void thePasswordNeverShows(String configured, String shown) {
        assertThat(ProxyUris.maskPassword(configured)).isEqualTo(shown);
    }
}
