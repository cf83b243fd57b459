package io.streamtee.view;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * A WebSocket viewer on a plain socket, for what java.net.http cannot show: the server's close frame after the
 * server stopped reading. A server that refuses a message without reading it whole closes the connection while the
 * viewer is still writing; java.net.http then reports the broken pipe of its write, not the close frame that came
 * first. Here the write runs on its own thread and may fail, and the reader still gets the frames that arrived.
 */
final class RawViewer implements AutoCloseable {
    private final Socket socket = new Socket();
    private final DataInputStream in;
    private Thread writer;

    /** Connects to {@code path} on loopback {@code port} and completes the handshake (101 or an exception). */
    RawViewer(int port, String path) throws IOException {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        in = new DataInputStream(socket.getInputStream());
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) in.readUnsignedByte());
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            throw new IOException("no upgrade: " + head);
        }
    }

    /**
     * Starts sending one masked binary message of {@code length} random bytes, on a thread of its own; a write the
     * server cuts off ends that thread quietly.
     */
    void sendBinaryOf(long length) {
        writer = Thread.ofPlatform().name("raw-viewer-writer").daemon().start(() -> {
            try {
                OutputStream out = socket.getOutputStream();
                byte[] header = new byte[14];
                header[0] = (byte) 0x82; // FIN, binary
                header[1] = (byte) (0x80 | 127); // masked, 64-bit length
                for (int i = 0; i < 8; i++) {
                    header[2 + i] = (byte) (length >>> (56 - 8 * i));
                }
                out.write(header); // the mask (last four bytes) is zero: the payload goes as it is
                byte[] chunk = new byte[64 * 1024];
                new Random(length).nextBytes(chunk);
                for (long left = length; left > 0; left -= chunk.length) {
                    out.write(chunk, 0, (int) Math.min(left, chunk.length));
                }
            } catch (IOException cutOff) {
                // the server closed while the message was on its way: what the caller wants to see
            }
        });
    }

    /** Reads frames, skipping the video, until the server's close frame, and returns its status code. */
    int closeCode() throws IOException {
        while (true) {
            int first = in.readUnsignedByte();
            int second = in.readUnsignedByte();
            long length = second & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            if ((second & 0x80) != 0) {
                throw new IOException("a masked frame from the server");
            }
            if ((first & 0x0f) == 0x8) {
                return length >= 2 ? in.readUnsignedShort() : 1005;
            }
            in.skipNBytes(length);
        }
    }

    @Override
    public void close() throws Exception {
        socket.close();
        if (writer != null) {
            writer.join(10_000);
        }
    }
}
