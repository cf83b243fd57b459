package io.streamtee.record;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP forwarder to put between a client and a server in tests: 127.0.0.1 on a free port, each connection
 * forwarded to {@code target}. {@link #down()} resets every open connection and every new one until {@link #up()},
 * so the server is unreachable for a while without being stopped or moving to another port; {@link #hang()} makes
 * new connections go nowhere (read, never answered).
 * {@link #breakOnceAfter(long)} resets one connection in the middle of a request.
 */
final class TcpForwarder implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean down;
    private volatile boolean hang;
    /** Reset the next connection that carries more than this many bytes to the server; -1 for never. */
    private final AtomicLong breakAfter = new AtomicLong(-1);
    private final AtomicLong refused = new AtomicLong();
    /** The first bytes sent to the server, over all connections, to check what went over the wire. */
    private final java.io.ByteArrayOutputStream sent = new java.io.ByteArrayOutputStream();
    private static final int SENT_MAX = 4 << 20;

    private TcpForwarder(ServerSocket server, InetSocketAddress target) {
        this.server = server;
        this.target = target;
        this.acceptor = Thread.ofPlatform().daemon().name("forwarder-" + server.getLocalPort()).unstarted(this::accept);
    }

    static TcpForwarder to(int port) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        TcpForwarder f = new TcpForwarder(server, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        f.acceptor.start();
        return f;
    }

    int port() {
        return server.getLocalPort();
    }

    /** Every open connection is reset, and so is every new one until {@link #up()}. */
    void down() {
        down = true;
        for (Socket s : open) {
            reset(s);
        }
    }

    void up() {
        down = false;
        hang = false;
    }

    /** New connections are accepted and read, but never forwarded nor answered: a store that hangs. */
    void hang() {
        hang = true;
    }

    /** Connections reset while down. */
    long refused() {
        return refused.get();
    }

    /** The first 4 MiB sent to the server (requests: headers and bodies), as ISO-8859-1 text. */
    String sentToServer() {
        synchronized (sent) {
            return sent.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    /** The next connection that carries more than {@code bytes} to the server is reset there (once). */
    void breakOnceAfter(long bytes) {
        breakAfter.set(bytes);
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (down) {
                refused.incrementAndGet();
                reset(client);
                continue;
            }
            if (hang) {
                open.add(client);
                Thread.ofVirtual().start(() -> swallow(client));
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 2000);
            } catch (IOException e) {
                reset(client);
                continue;
            }
            open.add(client);
            open.add(upstream);
            Thread.ofVirtual().start(() -> pipe(client, upstream, true));
            Thread.ofVirtual().start(() -> pipe(upstream, client, false));
        }
    }

    private void pipe(Socket from, Socket to, boolean toServer) {
        byte[] buffer = new byte[16 * 1024];
        long carried = 0;
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                carried += n;
                long limit = breakAfter.get();
                if (toServer && limit >= 0 && carried > limit && breakAfter.compareAndSet(limit, -1)) {
                    break;
                }
                if (toServer) {
                    synchronized (sent) {
                        sent.write(buffer, 0, Math.max(0, Math.min(n, SENT_MAX - sent.size())));
                    }
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // reset or closed: end both sides
        } finally {
            reset(from);
            reset(to);
        }
    }

    private void swallow(Socket client) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = client.getInputStream()) {
            while (in.read(buffer) >= 0) {
                // read, never answer
            }
        } catch (IOException e) {
            // reset or closed
        } finally {
            reset(client);
        }
    }

    /** Closes with a TCP reset (SO_LINGER 0), as a store that went away does. */
    private void reset(Socket s) {
        open.remove(s);
        try {
            s.setSoLinger(true, 0);
        } catch (IOException e) {
            // already closed
        }
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        down();
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
