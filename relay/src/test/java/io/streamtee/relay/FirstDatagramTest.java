package io.streamtee.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the relay's first datagram costs. Netty 4.2's buffer allocators emit JDK Flight Recorder events, so with
 * Netty's JFR support on, the first buffer the input allocates loads and initializes the JDK's whole Flight
 * Recorder on the event loop (measured: 150-170 ms, about 300 classes, with no recording running), and a burst
 * arriving then overflows the receive buffer. The relay turns Netty's JFR support off unless
 * {@code -Dio.netty.jfr.enabled} is given.
 */
class FirstDatagramTest {
    private static String probe(String... jvmFlags) throws Exception {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), NettyJfrProbe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("probe JVM finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void nettysFlightRecorderEventsAreOffSoTheFirstBufferDoesNotStartTheFlightRecorder() throws Exception {
        assertThat(probe()).contains("jfr=false");
    }

    @Test
    void anOperatorCanTurnThemBackOn() throws Exception {
        assertThat(probe("-Dio.netty.jfr.enabled=true")).contains("jfr=true");
    }
}
