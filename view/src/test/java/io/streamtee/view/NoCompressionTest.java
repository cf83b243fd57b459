package io.streamtee.view;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The viewer's WebSocket refuses permessage-deflate, which every browser offers: H.264 does not compress, and
 * deflating each frame for each viewer costs the server CPU and adds latency (the whole cached GOP at a viewer's
 * start). A handshake offering it by hand, on loopback.
 */
@Timeout(30)
class NoCompressionTest {
    @Test
    void theWebSocketDoesNotNegotiatePermessageDeflate() throws Exception {
        Hub hub = Hub.withDefaults(ViewCommand.QUEUE);
        try (ViewServer server = new ViewServer(hub, "--http", new InetSocketAddress("127.0.0.1", 0)).start();
                Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nConnection: Upgrade\r\n"
                    + "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            List<String> headers = new ArrayList<>();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                headers.add(line);
            }
            assertThat(headers).first().asString().startsWith("HTTP/1.1 101");
            assertThat(headers).noneMatch(h -> h.toLowerCase().startsWith("sec-websocket-extensions"));
        }
    }
}
