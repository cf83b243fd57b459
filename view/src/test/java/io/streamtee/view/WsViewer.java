package io.streamtee.view;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A test viewer: a java.net.http WebSocket that keeps every whole binary message and how the socket closed. */
final class WsViewer implements WebSocket.Listener, AutoCloseable {
    /** How the server closed the socket. */
    record Closed(int code, String reason) {
    }

    final List<byte[]> messages = new CopyOnWriteArrayList<>();
    final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final ByteArrayOutputStream part = new ByteArrayOutputStream();
    private WebSocket ws;

    /** Connects to {@code uri} ({@code ws://...}), with {@code headers} as name, value pairs. */
    static WsViewer connect(String uri, String... headers) throws Exception {
        return connect(HttpClient.newHttpClient(), uri, headers);
    }

    /** Connects with {@code client}. */
    static WsViewer connect(HttpClient client, String uri, String... headers) throws Exception {
        WsViewer v = new WsViewer();
        WebSocket.Builder b = client.newWebSocketBuilder();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        v.ws = b.buildAsync(URI.create(uri), v).get(5, TimeUnit.SECONDS);
        return v;
    }

    /** The socket, to send on. */
    WebSocket socket() {
        return ws;
    }

    int count() {
        return messages.size();
    }

    /** The messages so far, a copy. */
    List<byte[]> got() {
        return new ArrayList<>(messages);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        part.writeBytes(b);
        if (last) {
            messages.add(part.toByteArray());
            part.reset();
        }
        w.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
        closed.complete(new Closed(code, reason));
        return null;
    }

    @Override
    public void onError(WebSocket w, Throwable error) {
        closed.complete(new Closed(-1, error.toString()));
    }

    @Override
    public void close() {
        if (ws != null && !ws.isOutputClosed()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
        if (ws != null) {
            ws.abort();
        }
    }

    /** The NAL units of {@code type} in a message's access unit, each from its header byte on. */
    static List<byte[]> nals(byte[] message, int type) {
        List<byte[]> out = new ArrayList<>();
        int start = -1;
        for (int i = Frame.HEADER; i + 3 <= message.length; i++) {
            boolean code = i + 3 < message.length && message[i] == 0 && message[i + 1] == 0 && message[i + 2] == 1;
            if (code || i + 3 == message.length) {
                if (start >= 0 && (message[start] & 0x1f) == type) {
                    int end = code ? i : message.length;
                    while (end > start && message[end - 1] == 0) {
                        end--; // the leading zero of a 4-byte start code
                    }
                    out.add(Arrays.copyOfRange(message, start, end));
                }
                if (code) {
                    start = i + 3;
                    i += 2;
                }
            }
        }
        return out;
    }

    /** Whether the message's keyframe flag is set. */
    static boolean keyframe(byte[] message) {
        return (message[1] & Frame.FLAG_KEYFRAME) != 0;
    }

    /** The message's receive-time field (epoch ms). */
    static long receivedMs(byte[] message) {
        return ByteBuffer.wrap(message).getLong(12);
    }
}
