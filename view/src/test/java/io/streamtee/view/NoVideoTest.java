package io.streamtee.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.streamtee.config.Endpoint;
import io.streamtee.ts.Pmt;
import io.streamtee.ts.Timestamps;
import io.streamtee.ts.TsPacket;
import io.streamtee.ts.TsWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stream without H.264/H.265 video (audio only; MPEG-2 video) through {@link LiveInput}: the hub knows why there is
 * no video, and the WebSocket tells the page in a JSON text message ({@link PageMessages}) after the catch-up count;
 * when video comes back the page is told so. Loopback only.
 */
@Timeout(60)
class NoVideoTest {
    private static final int PMT_PID = 0x1000;

    /** Collects text messages and counts binary ones. */
    private static final class Client implements WebSocket.Listener {
        final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        private final StringBuilder part = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            part.append(data);
            if (last) {
                texts.add(part.toString());
                part.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            ws.request(1);
            return null;
        }
    }

    /** PAT and a PMT listing {@code typeAndPid}, then a PES of 1 KiB on each listed PID, in 7-packet datagrams. */
    private static void send(DatagramSocket socket, InetSocketAddress to, TsWriter w, int... typeAndPid)
            throws Exception {
        w.clear();
        w.section(TsPacket.PAT_PID, TsWriter.patSection(1, 0, 1, PMT_PID));
        w.section(PMT_PID, TsWriter.pmtSection(1, typeAndPid.length, typeAndPid[1], typeAndPid));
        for (int i = 1; i < typeAndPid.length; i += 2) {
            w.pes(typeAndPid[i], 0xC0, 90_000, Timestamps.NONE, new byte[1024]);
        }
        byte[] ts = w.toByteArray();
        for (int off = 0; off < ts.length; off += 7 * TsPacket.SIZE) {
            int n = Math.min(7 * TsPacket.SIZE, ts.length - off);
            socket.send(new DatagramPacket(ts, off, n, to));
        }
    }

    @Test
    void aStreamWithoutVideoIsSaidToThePage() throws Exception {
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        try (LiveInput input = new LiveInput(Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT), hub).start();
                ViewServer server = new ViewServer(hub, "--http", new InetSocketAddress("127.0.0.1", 0)).start();
                DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            Client client = new Client();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create(server.url().replace("http://", "ws://") + "ws"), client)
                    .get(5, TimeUnit.SECONDS);
            assertThat(client.texts.poll(5, TimeUnit.SECONDS)).isEqualTo("{\"status\":\"catch-up\",\"frames\":0}");

            TsWriter w = new TsWriter();
            InetSocketAddress to = input.localAddress();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                send(socket, to, w, 0x0F, 0x101); // AAC only
                return hub.noVideoMessage() != null;
            });
            assertThat(hub.noVideoMessage()).isEqualTo("the stream has no H.264/H.265 video: its program carries aac"
                    + " (PID 257)");
            assertThat(client.texts.poll(5, TimeUnit.SECONDS)).isEqualTo("{\"status\":\"no-video\",\"message\":"
                    + "\"the stream has no H.264/H.265 video: its program carries aac (PID 257)\"}");

            send(socket, to, w, 0x02, 0x100, 0x0F, 0x101); // MPEG-2 video and AAC: no video the page can show
            await().atMost(Duration.ofSeconds(10)).until(() -> hub.noVideoMessage().contains("mpeg2video"));
            assertThat(hub.noVideoMessage()).isEqualTo("the stream has no H.264/H.265 video: its program carries"
                    + " mpeg2video (PID 256), aac (PID 257)");
            assertThat(client.texts.poll(5, TimeUnit.SECONDS)).contains("\"status\":\"no-video\"", "mpeg2video");

            send(socket, to, w, Pmt.STREAM_TYPE_H264, 0x100, 0x0F, 0x101); // video again
            await().atMost(Duration.ofSeconds(10)).until(() -> hub.noVideoMessage() == null);
            assertThat(client.texts.poll(5, TimeUnit.SECONDS)).isEqualTo("{\"status\":\"video\"}");
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
        }
    }
}
