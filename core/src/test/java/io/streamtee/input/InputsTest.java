package io.streamtee.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link Inputs}: factories by scheme, and the one line when none serves a URL. */
class InputsTest {

    /** A factory that only names its schemes: lookups never start it. */
    record Named(String name, Set<String> schemes) implements InputFactory {
        @Override
        public Input start(String route, Endpoint endpoint, DatagramSink sink) {
            throw new AssertionError("a lookup starts nothing");
        }
    }

    private static Endpoint input(String url) {
        return Endpoint.parse(url, Endpoint.Role.INPUT);
    }

    @Test
    void findsTheFactoryByScheme() {
        Named rtsp = new Named("rtsp", Set.of("rtsp", "rtsps"));
        Named srt = new Named("srt", Set.of("srt"));
        Inputs inputs = new Inputs(List.of(rtsp, srt));
        assertThat(inputs.schemes()).containsExactly("rtsp", "rtsps", "srt");
        assertThat(inputs.find("rtsps")).isSameAs(rtsp);
        assertThat(inputs.require("--listen", input("srt://127.0.0.1:9000"), List.of("udp"))).isSameAs(srt);
        assertThat(inputs.find("tcp")).isNull();
    }

    @Test
    void theFirstFactoryFoundKeepsAScheme() {
        Named first = new Named("first", Set.of("srt"));
        Inputs inputs = new Inputs(List.of(first, new Named("second", Set.of("srt"))));
        assertThat(inputs.find("srt")).isSameAs(first);
    }

    @Test
    void aSchemeNoFactoryServesIsOneLineNamingTheFlagAndWhatThisBuildTakes() {
        Inputs inputs = new Inputs(List.of(new Named("bridge", Set.of("rtsp", "rtsps", "srt"))));
        assertThatThrownBy(() -> inputs.require("--listen", input("tcp://127.0.0.1:9000"), List.of("udp")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--listen: no input for tcp:// here (this build takes udp://, rtsp://, rtsps://, srt://)");
    }

    @Test
    void withoutTheBridgeTheMessageSaysWhereRtspComesFrom() {
        Inputs none = new Inputs(List.of());
        assertThat(none.schemes()).isEmpty();
        assertThatThrownBy(() -> none.require("cameras.porch.input", input("rtsp://admin:secret@127.0.0.1/1"),
                List.of("udp")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("cameras.porch.input: no input for rtsp:// here (this build takes udp:// only; the bridge"
                        + " module, which brings rtsp:// and srt://, is not on the class path)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret").doesNotContain("\n"));
    }
}
