package io.streamtee.analyze.sink.mqtt;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP relay between a client and a server that can cut every connection abruptly (a reset, no goodbye),
 * as a network failure or a crashed client would: the server sees the connection die. New connections still pass.
 */
final class TcpCutter implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    TcpCutter(int targetPort) throws IOException {
        this.target = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofPlatform().daemon().name("cutter accept").start(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket in = server.accept();
                accepted.incrementAndGet();
                Socket out = new Socket();
                out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 5000);
                sockets.add(in);
                sockets.add(out);
                pump(in, out);
                pump(out, in);
            } catch (IOException e) {
                // closed, or the server is down: the client sees its connection end
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread.ofPlatform().daemon().name("cutter pump").start(() -> {
            byte[] buf = new byte[8192];
            try (InputStream i = from.getInputStream(); OutputStream o = to.getOutputStream()) {
                for (int n; (n = i.read(buf)) > 0; ) {
                    o.write(buf, 0, n);
                }
            } catch (IOException e) {
                // cut
            }
            cut(to);
        });
    }

    /** Resets every connection that passes now. */
    void cutAll() {
        for (Socket s : sockets) {
            cut(s);
        }
        sockets.clear();
    }

    private static void cut(Socket s) {
        try {
            s.setSoLinger(true, 0); // RST, not FIN
        } catch (IOException e) {
            // closed already
        }
        try {
            s.close();
        } catch (IOException e) {
            // closed already
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        server.close();
        acceptor.join(2000);
        cutAll();
    }
}
