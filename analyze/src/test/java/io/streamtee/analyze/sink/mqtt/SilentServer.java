package io.streamtee.analyze.sink.mqtt;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/** A broker that hangs: it accepts connections and reads what comes, but never answers. Counts what it saw end. */
final class SilentServer implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger ended = new AtomicInteger();

    SilentServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("silent accept").start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.incrementAndGet();
                    Thread.ofPlatform().daemon().name("silent read").start(() -> swallow(s));
                } catch (IOException e) {
                    // closed
                }
            }
        });
    }

    private void swallow(Socket s) {
        try (s; InputStream in = s.getInputStream()) {
            byte[] buf = new byte[4096];
            while (in.read(buf) >= 0) {
                // never answers
            }
        } catch (IOException e) {
            // reset by the client
        }
        ended.incrementAndGet();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    int accepted() {
        return accepted.get();
    }

    /** Connections the client closed so far. */
    int ended() {
        return ended.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
