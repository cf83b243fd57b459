package io.streamtee.relay.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.relay.DropReason;
import io.streamtee.relay.Relay;
import io.streamtee.relay.Route;
import io.streamtee.relay.RouteOutput;
import io.streamtee.relay.TestRelays;
import io.streamtee.testing.Closeables;
import io.streamtee.testing.Datagrams;
import io.streamtee.testing.FfmpegJudge;
import io.streamtee.testing.Figures;
import io.streamtee.testing.UdpReceiver;
import io.streamtee.testing.UdpSender;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /streams/{route}}: HTTP clients as outputs of a route, on loopback. */
@Timeout(90)
class StreamTest {
    private static final int SIZE = 1316;
    @RegisterExtension
    final Closeables closeables = new Closeables();
    private Relay relay;
    private ControlServer api;

    private <T extends AutoCloseable> T use(T t) {
        return closeables.use(t);
    }

    private Route start(long clientBuffer, long stallMillis, String... outputs) {
        relay = use(TestRelays.relay("udp://127.0.0.1:0", outputs));
        api = use(new ControlServer(relay, "127.0.0.1", 0, null, clientBuffer, stallMillis).start());
        return relay.route("cam");
    }

    private URI stream() {
        return URI.create("http://127.0.0.1:" + api.port() + "/streams/cam");
    }

    /** A client that reads everything, after checking the response headers. */
    private StreamReader reader() throws Exception {
        StreamReader r = new StreamReader(stream());
        assertThat(r.response().statusCode()).isEqualTo(200);
        assertThat(r.response().headers().firstValue("Content-Type")).hasValue("video/mp2t");
        assertThat(r.response().headers().firstValue("Content-Length")).isEmpty();
        return r;
    }

    /** A client that asks for the stream and never reads a byte; returns its socket's local port. */
    private Socket stalledClient() throws IOException {
        Socket s = use(new Socket());
        s.setReceiveBufferSize(2048);
        s.connect(new InetSocketAddress("127.0.0.1", api.port()));
        OutputStream out = s.getOutputStream();
        out.write("GET /streams/cam HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    private static RouteOutput output(Route route, Socket client) {
        String url = "http 127.0.0.1:" + client.getLocalPort();
        return route.outputs().stream().filter(o -> o.url().equals(url)).findFirst().orElseThrow();
    }

    private static byte[] concat(List<byte[]> datagrams) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        datagrams.forEach(all::writeBytes);
        return all.toByteArray();
    }

    @Test
    void aStalledClientSlowsNeitherALiveClientNorTheUdpOutput() throws Exception {
        UdpReceiver udp = use(UdpReceiver.open("127.0.0.1"));
        Route route = start(256 << 10, 60_000, udp.url());
        StreamReader live = use(reader());
        Socket stalled = stalledClient();
        await().until(() -> route.outputs().size() == 3);
        List<byte[]> sent = Datagrams.fixed(8000, SIZE, 7);

        try (UdpSender sender = UdpSender.to(route.localAddress())) {
            sender.sendPaced(sent, 64, () -> Math.min(udp.count(), live.size() / SIZE));
        }

        await().until(() -> udp.count() == sent.size() && live.size() == sent.size() * SIZE);
        assertThat(udp.datagrams()).zipSatisfy(sent, (got, want) -> assertThat(got).isEqualTo(want));
        assertThat(live.bytes()).isEqualTo(concat(sent));
        assertThat(output(route, stalled).stats().snapshot().dropped(DropReason.BUFFER_FULL)).isPositive();
        assertThat(route.outputs()).hasSize(3);
        Figures.of("fault.relay.http-stall-neighbours").put("datagrams", sent.size())
                .put("lost", output(route, stalled).stats().snapshot().dropped())
                .put("lost_others", 2L * sent.size() - udp.count() - live.size() / SIZE)
                .record(getClass(), "aStalledClientSlowsNeitherALiveClientNorTheUdpOutput");
    }

    @Test
    void aClientThatStaysStalledIsDisconnectedAndDetached() throws Exception {
        Route route = start(64 << 10, 300, "udp://127.0.0.1:9");
        stalledClient();
        await().until(() -> route.outputs().size() == 2);
        byte[] d = new byte[SIZE];

        try (UdpSender sender = UdpSender.to(route.localAddress())) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
                for (int i = 0; i < 100; i++) {
                    sender.send(d);
                }
                return route.outputs().size() == 1;
            });
        }
    }

    @Test
    void aClientThatGoesAwayIsDetached() throws Exception {
        Route route = start(256 << 10, 10_000, "udp://127.0.0.1:9");
        StreamReader client = reader();
        await().until(() -> route.outputs().size() == 2);
        assertThat(route.outputs().get(1).url()).startsWith("http 127.0.0.1:");

        client.close();

        try (UdpSender sender = UdpSender.to(route.localAddress())) {
            await().pollInterval(Duration.ofMillis(20)).until(() -> {
                sender.send(new byte[SIZE]);
                return route.outputs().size() == 1;
            });
        }
    }

    @Test
    void ffprobeReadsTheRouteAsAnMpegTsStream(@TempDir Path dir) throws Exception {
        FfmpegJudge.assumeInstalled();
        byte[] clip = Files.readAllBytes(FfmpegJudge.encode(dir.resolve("clip.ts"), "testsrc2=size=320x240:rate=25", 2,
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "25"));
        Route route = start(ControlServer.CLIENT_BUFFER_BYTES, 10_000, "udp://127.0.0.1:9");
        Process probe = FfmpegJudge.start(FfmpegJudge.ffprobe("-v", "error", "-select_streams", "v:0",
                "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", stream().toString()));
        await().until(() -> route.outputs().size() == 2 || !probe.isAlive());

        try (UdpSender sender = UdpSender.to(route.localAddress())) {
            // The clip over and over, in camera-like 1316-byte datagrams, about 1 ms apart, until ffprobe has seen enough.
            for (int off = 0; probe.isAlive(); off = (off + SIZE) % (clip.length - clip.length % SIZE)) {
                sender.send(java.util.Arrays.copyOfRange(clip, off, off + SIZE));
                if (off % (SIZE * 8) == 0) {
                    Thread.sleep(8);
                }
            }
        }

        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(probe.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(probe.exitValue()).as(out).isZero();
        assertThat(out.lines().filter(l -> !l.isBlank()).findFirst()).hasValue("h264,320,240");
    }
}
