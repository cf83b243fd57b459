package io.streamtee.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code streamtee view}: options, one-line errors naming the flag, exit codes. */
class ViewCommandTest {
    private record Run(int code, String err) {
    }

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        ViewCommand command = new ViewCommand();
        command.env = name -> null; // no STREAMTEE_API_TOKEN, whatever the machine has
        int code = Cli.run(command, new PrintWriter(new StringWriter()), new PrintWriter(err), args);
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
        assertThat(http.err().strip()).startsWith("streamtee view: --http: ").contains("STREAMTEE_API_TOKEN")
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

    private static ViewCommand parse(String... args) {
        ViewCommand c = new ViewCommand();
        c.env = name -> null;
        new CommandLine(c).parseArgs(args);
        return c;
    }

    @Test
    void listenOncePerCameraNamedOrTheOneNamedByCamera() {
        ViewCommand two = parse("--listen", "front=udp://127.0.0.1:9001", "--listen",
                " back.yard = udp://127.0.0.1:9002");
        assertThat(two.inputs()).containsOnlyKeys("front", "back.yard");
        assertThat(two.inputs().get("back.yard").url()).isEqualTo("udp://127.0.0.1:9002");
        ViewCommand mixed = parse("--camera", "door", "--listen", "udp://127.0.0.1:9001", "--listen",
                "back=udp://239.1.1.1:9002?iface=lo");
        assertThat(mixed.inputs().keySet()).containsExactly("door", "back");
        ViewCommand groups = parse("--listen", "a=udp://239.1.1.1:5004?iface=lo", "--listen",
                "b=udp://239.1.1.2:5004?iface=lo");
        assertThat(groups.inputs()).as("two groups may share a port").hasSize(2);
        ViewCommand addresses = parse("--listen", "a=udp://127.0.0.1:9001", "--listen", "b=udp://127.0.0.2:9001");
        assertThat(addresses.inputs()).as("two unicast addresses may share a port").hasSize(2);
        ViewCommand zero = parse("--listen", "a=udp://127.0.0.1:0", "--listen", "b=udp://127.0.0.1:0");
        assertThat(zero.inputs()).as("port 0: any free one each").hasSize(2);
        assertThat(parse().maxViewers()).isEqualTo(ViewServer.DEFAULT_MAX_VIEWERS);
    }

    @Test
    void badCamerasAreOneLineNamingTheFlagWithExit2() {
        Run twice = run("--listen", "a=udp://127.0.0.1:9001", "--listen", "a=udp://127.0.0.1:9002");
        assertThat(twice.code()).isEqualTo(2);
        assertThat(twice.err().strip()).isEqualTo("streamtee view: --listen: camera 'a' is given twice");
        Run bare = run("--listen", "udp://127.0.0.1:9001", "--listen", "udp://127.0.0.1:9002");
        assertThat(bare.code()).isEqualTo(2);
        assertThat(bare.err().strip()).startsWith("streamtee view: --listen: camera 'camera' is given twice")
                .contains("NAME=udp://").doesNotContain("\n");
        Run same = run("--listen", "a=udp://127.0.0.1:9001", "--listen", "b=udp://127.0.0.1:9001");
        assertThat(same.code()).isEqualTo(2);
        assertThat(same.err().strip()).contains("both listen on port 9001");
        Run port = run("--listen", "a=udp://127.0.0.1:9001", "--listen", "b=udp://0.0.0.0:9001");
        assertThat(port.code()).isEqualTo(2);
        assertThat(port.err().strip()).isEqualTo("streamtee view: --listen: cameras 'a' and 'b' both listen on port"
                + " 9001 (udp://127.0.0.1:9001, udp://0.0.0.0:9001)");
        Run name = run("--listen", "-a=udp://127.0.0.1:9001");
        assertThat(name.code()).isEqualTo(2);
        assertThat(name.err().strip()).startsWith("streamtee view: --listen: '-a' is not a camera name")
                .doesNotContain("\n");
        Run viewers = run("--max-viewers", "0");
        assertThat(viewers.code()).isEqualTo(2);
        assertThat(viewers.err().strip()).isEqualTo("streamtee view: --max-viewers: a number from 1 to 10000, not 0");
    }

    @Test
    void offLoopbackTheTokenComesFromTheEnvironment() {
        ViewCommand c = parse("--http", "0.0.0.0:8083");
        c.env = name -> name.equals("STREAMTEE_API_TOKEN") ? "a-token-of-16-chars-or-more" : null;
        assertThat(c.httpSettings().tokenRequired()).isTrue();
        assertThat(c.httpSettings().token()).isEqualTo("a-token-of-16-chars-or-more");
        assertThat(c.httpAddress()).isEqualTo(new InetSocketAddress("0.0.0.0", 8083));
        assertThat(parse().httpSettings().tokenRequired()).isFalse();
    }

    @Test
    void severalCamerasStartWithAGridAndAPagePerCamera() throws Exception {
        ViewCommand c = parse("--listen", "front=udp://127.0.0.1:0", "--listen", "back=udp://127.0.0.1:0",
                "--http", "127.0.0.1:0", "--max-viewers", "3");
        try (ViewCommand.Running running = c.start()) {
            assertThat(running.cameras()).extracting(CameraFeed::name).containsExactly("front", "back");
            assertThat(running.cameras().get(0).input().localAddress().getPort())
                    .isNotEqualTo(running.cameras().get(1).input().localAddress().getPort());
            HttpClient http = HttpClient.newHttpClient();
            String grid = http.send(HttpRequest.newBuilder(URI.create(running.server().url())).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(grid).contains("[\"front\",\"back\"]");
            String health = http.send(HttpRequest.newBuilder(URI.create(running.server().url()
                    + "cameras/back/healthz")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(health).startsWith("{\"status\":\"ok\",\"camera\":\"back\",").contains("\"maxViewers\":3");
        }
    }
}
