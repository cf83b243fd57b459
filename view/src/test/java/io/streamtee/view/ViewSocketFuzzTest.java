package io.streamtee.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.streamtee.http.WebServer;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;

/**
 * Jazzer fuzz tests of what a browser may send on a viewer's WebSocket: to {@link ViewServer} ({@code view}) and to
 * {@link ViewRoutes} ({@code serve}'s page), each served once on a free loopback port with one camera. Both ignore
 * viewer messages (counting them) and close a socket whose message is longer than
 * {@link FrameSocket#MAX_MESSAGE_BYTES} with 1009. In a plain {@code mvn test} each method replays the files in
 * {@code src/test/resources/io/streamtee/view/ViewSocketFuzzTestInputs/<method>/}; with {@code JAZZER_FUZZ=1} one of
 * them fuzzes ({@code bench/fuzz.sh}).
 *
 * <p>An input is: one byte of flags (bit 0: binary, else text as UTF-8; bit 1: the message repeated past the size
 * bound), then the message.
 */
class ViewSocketFuzzTest {
    /** Jazzer's SSRF detector flags every connection while fuzzing: the test's own, to its loopback server, pass. */
    private static final BiPredicate<String, Integer> LOOPBACK =
            (host, port) -> host.equals("127.0.0.1") || host.equals("localhost");
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Pattern IGNORED =
            Pattern.compile("(?m)^streamtee_view_client_messages_ignored_total\\{camera=\"cam\"\\} (\\S+)$");

    /** One served socket and its viewer, made at the first input and reused. */
    private static final class Served {
        final String uri;
        final LongSupplier ignored;
        final AutoCloseable server;
        WsViewer viewer;
        long sent;

        Served(String uri, LongSupplier ignored, AutoCloseable server) {
            this.uri = uri;
            this.ignored = ignored;
            this.server = server;
        }
    }

    private static Served view;
    private static Served serve;
    private static ViewRoutes routes;
    private static HttpClient client;

    @AfterAll
    static void stop() throws Exception {
        for (Served s : new Served[] {view, serve}) {
            if (s != null) {
                if (s.viewer != null) {
                    s.viewer.close();
                }
                s.server.close();
            }
        }
        if (routes != null) {
            routes.close();
        }
    }

    /** {@code view}'s socket: every message counted once, the viewer kept; a too-long one closes it with 1009. */
    @FuzzTest
    void viewServer(byte[] input) throws Exception {
        if (view == null) {
            ViewServer server = new ViewServer(List.of(new CameraFeed("cam", Hub.withDefaults(8), null)), "--http",
                    new java.net.InetSocketAddress("127.0.0.1", 0), null, 10).start();
            view = new Served(server.url().replace("http://", "ws://") + "ws", server::ignoredMessages, server);
        }
        check(view, input);
    }

    /** {@code serve}'s page socket ({@link ViewRoutes}): the same promises. */
    @FuzzTest
    void serveRoutes(byte[] input) throws Exception {
        if (serve == null) {
            List<CameraFeed> feeds = List.of(new CameraFeed("cam", Hub.withDefaults(8), null)); // the same each time
            routes = new ViewRoutes(() -> feeds, 10);
            WebServer web = new WebServer("--http", "127.0.0.1", 0, null);
            web.start("a test", routes::install);
            serve = new Served(web.url().replace("http://", "ws://") + "cameras/cam/ws", () -> ignored(routes),
                    web::close);
        }
        check(serve, input);
    }

    private static long ignored(ViewRoutes r) {
        Matcher m = IGNORED.matcher(r.scrape());
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }

    private static void check(Served s, byte[] input) throws Exception {
        BugDetectors.allowNetworkConnections(LOOPBACK); // Jazzer resets it for each input
        if (s.viewer == null || s.viewer.closed.isDone()) {
            if (client == null) {
                client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            }
            s.viewer = WsViewer.connect(client, s.uri);
        }
        int flags = input.length == 0 ? 0 : input[0];
        byte[] body = input.length == 0 ? input : java.util.Arrays.copyOfRange(input, 1, input.length);
        boolean tooLong = (flags & 2) != 0;
        if (tooLong) {
            int copies = FrameSocket.MAX_MESSAGE_BYTES / Math.max(1, body.length) + 1;
            body = ByteBuffer.allocate(Math.max(1, body.length) * copies).array();
            for (int i = 0; i < body.length; i++) {
                body[i] = input.length > 1 ? input[1 + i % (input.length - 1)] : (byte) 'x';
            }
        }
        WebSocket socket = s.viewer.socket();
        int wireBytes; // the message's length on the wire: text is sent as UTF-8 (a bad byte as U+FFFD)
        CompletableFuture<WebSocket> sending;
        if ((flags & 1) != 0) {
            sending = socket.sendBinary(ByteBuffer.wrap(body), true);
            wireBytes = body.length;
        } else {
            String text = new String(body, StandardCharsets.UTF_8);
            sending = socket.sendText(text, true);
            wireBytes = text.getBytes(StandardCharsets.UTF_8).length;
        }
        try {
            sending.get(WAIT.toSeconds(), TimeUnit.SECONDS); // one send at a time: the client refuses a second
        } catch (ExecutionException e) {
            assertThat(wireBytes).as("a send failed: %s", e.getCause()).isGreaterThan(FrameSocket.MAX_MESSAGE_BYTES);
        }
        if (wireBytes > FrameSocket.MAX_MESSAGE_BYTES) {
            // closed with 1009; or, when the server closed it before the client had written the message out, the
            // client's write fails (-1, broken pipe) before it reads the close (the inputs crash-94381f1e...,
            // crash-e8363658...)
            WsViewer.Closed closed = s.viewer.closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(closed.code()).as(closed.toString()).isIn(1009, -1);
            s.viewer = null;
        } else {
            s.sent++;
            await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                    .until(() -> s.ignored.getAsLong() >= s.sent || s.viewer.closed.isDone());
            assertThat(s.viewer.closed).as("a viewer's socket closed by a message of %d bytes", wireBytes)
                    .isNotDone();
            assertThat(s.ignored.getAsLong()).isEqualTo(s.sent);
        }
    }
}
