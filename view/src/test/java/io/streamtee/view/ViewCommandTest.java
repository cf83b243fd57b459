package io.streamtee.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code streamtee view}: options, one-line errors naming the flag, exit codes. */
class ViewCommandTest {
    private record Run(int code, String err) {
    }

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        int code = Cli.run(new ViewCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err), args);
        return new Run(code, err.toString());
    }

    @Test
    void defaults() {
        ViewCommand c = new ViewCommand();
        new CommandLine(c).parseArgs();
        assertThat(c.input().url()).isEqualTo("udp://127.0.0.1:8103");
        assertThat(c.httpAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", 8083));
        assertThat(c.cameraName()).isEqualTo("camera");
    }

    @Test
    void badOptionsAreOneLineNamingTheFlagWithExit2() {
        Run listen = run("--listen", "tcp://127.0.0.1:5000");
        assertThat(listen.code()).isEqualTo(2);
        assertThat(listen.err().strip()).startsWith("streamtee view: --listen: ").doesNotContain("\n")
                .contains("udp://");
        Run garbage = run("--listen", "udp://nowhere:port");
        assertThat(garbage.code()).isEqualTo(2);
        assertThat(garbage.err().strip()).startsWith("streamtee view: --listen: ").doesNotContain("\n");
        Run http = run("--listen", "udp://127.0.0.1:0", "--http", "0.0.0.0:8083");
        assertThat(http.code()).isEqualTo(2);
        assertThat(http.err().strip()).startsWith("streamtee view: --http: ").contains("loopback only")
                .doesNotContain("\n");
        Run camera = run("--camera", "front door");
        assertThat(camera.code()).isEqualTo(2);
        assertThat(camera.err().strip()).startsWith("streamtee view: --camera: ").doesNotContain("\n");
        Run unknown = run("--nope");
        assertThat(unknown.code()).isEqualTo(2);
    }

    @Test
    void aBusyPortIsOneLineWithExit1() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run r = run("--listen", "udp://127.0.0.1:0", "--http", "127.0.0.1:" + busy.getLocalPort());
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err().strip()).startsWith("streamtee view: --http: cannot listen on 127.0.0.1:"
                    + busy.getLocalPort()).doesNotContain("\n");
        }
        try (DatagramSocket busy = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Run r = run("--listen", "udp://127.0.0.1:" + busy.getLocalPort(), "--http", "127.0.0.1:0");
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err().strip()).startsWith("streamtee view: --listen: ")
                    .contains(String.valueOf(busy.getLocalPort()))
                    .doesNotContain("\n");
        }
    }
}
