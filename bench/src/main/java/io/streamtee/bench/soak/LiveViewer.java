package io.streamtee.bench.soak;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A WebSocket client of serve's live view ({@code /cameras/NAME/ws}) for the whole soak: counts the frames (binary
 * messages, one access unit each: a 20-byte header, flags at byte 1, PTS at bytes 4-11) and the damaged ones, and
 * notes whether the server closed it or it failed. {@link #close()} closes it (idempotent).
 */
final class LiveViewer implements AutoCloseable {

    private final String name;
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong damaged = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private volatile String ended;
    private final WebSocket socket;
    private boolean closed;

    LiveViewer(String name, URI uri) throws Exception {
        this.name = name;
        WebSocket.Listener listener = new WebSocket.Listener() {
            private ByteBuffer message = ByteBuffer.allocate(1 << 20);

            @Override
            public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
                if (message.remaining() < data.remaining()) {
                    ByteBuffer bigger = ByteBuffer.allocate(Math.max(message.capacity() * 2,
                            message.position() + data.remaining()));
                    message.flip();
                    bigger.put(message);
                    message = bigger;
                }
                message.put(data);
                if (last) {
                    message.flip();
                    frames.incrementAndGet();
                    bytes.addAndGet(message.remaining());
                    if (message.remaining() >= 20 && (message.get(1) & 2) != 0) {
                        damaged.incrementAndGet();
                    }
                    message.clear();
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
                ended = "closed by the server: " + status + " " + reason;
                return null;
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                ended = "failed: " + error;
            }
        };
        this.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(uri, listener).get(15, TimeUnit.SECONDS);
    }

    String name() {
        return name;
    }

    long frames() {
        return frames.get();
    }

    long damaged() {
        return damaged.get();
    }

    long bytes() {
        return bytes.get();
    }

    /** Null while connected; else how it ended. */
    String ended() {
        return ended;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        socket.abort();
    }
}
