package io.streamtee.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.analyze.ClipLinks;
import org.junit.jupiter.api.Test;

/** Where sinks' snapshot links point: the web server's address, or bare paths when it has none to give. */
class LinkBaseTest {
    @Test
    void aLoopbackOrHostAddressIsTheBaseAndEveryAddressIsNone() {
        assertThat(ServeWeb.linkBase(ClipLinks.parse("web.listen", "http://127.0.0.1:8080/")))
                .isEqualTo("http://127.0.0.1:8080");
        assertThat(ServeWeb.linkBase(ClipLinks.parse("web.listen", "http://[::1]:8080/")))
                .isEqualTo("http://[::1]:8080");
        assertThat(ServeWeb.linkBase(ClipLinks.parse("web.listen", "http://0.0.0.0:8080/"))).isNull();
        assertThat(ServeWeb.linkBase(ClipLinks.parse("web.listen", "http://[::]:8080/"))).isNull();
        assertThat(ServeWeb.linkBase(null)).isNull();
    }

    @Test
    void webUrlIsTheBaseAsGivenAndItsHostIsNeverLookedUp() {
        // a name that cannot resolve: a lookup would fail, and null would come back
        assertThat(ServeWeb.linkBase(ClipLinks.parse("web.url", "https://cams.streamtee.invalid/")))
                .isEqualTo("https://cams.streamtee.invalid");
    }
}
