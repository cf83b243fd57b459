package io.streamtee.analyze.sink;

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
 * A loopback TCP proxy that plays a server's faults, for tests: 127.0.0.1 on a free port, each connection forwarded
 * to {@code target}. {@link #down()}: every open connection is reset and the port is closed, so connecting is refused
 * (a server that is gone), until {@link #up()} listens on the same port again (meanwhile the port stays bound by a
 * socket that does not listen: connecting is refused all the same, and no other program on the machine is given the
 * port for a connection or a listener of its own, which would make {@link #up()} fail);
 * {@link #hang()}: connections are accepted, and nothing is read or forwarded on any connection, old or new (a server
 * that takes the connection and never answers; what the client sent waits in the socket buffers); {@link #up()}:
 * forwarding again (what waited is forwarded then).
 */
final class FaultProxy implements AutoCloseable {
    enum Mode { UP, DOWN, HANG }

    private volatile ServerSocket server;
    /** While down: the port bound, not listening; null when up or when it could not be bound. */
    private Socket placeholder;
    private final int port;
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Object modeLock = new Object();
    private volatile Mode mode = Mode.UP;
    private volatile boolean closed;
    private final AtomicLong reset = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final Thread acceptor;

    private FaultProxy(ServerSocket server, InetSocketAddress target) {
        this.server = server;
        this.port = server.getLocalPort();
        this.target = target;
        this.acceptor = Thread.ofPlatform().daemon().name("fault-proxy-" + server.getLocalPort())
                .unstarted(this::accept);
    }

    static FaultProxy to(int port) throws IOException {
        FaultProxy p = new FaultProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        p.acceptor.start();
        return p;
    }

    int port() {
        return port;
    }

    /** Open connections reset by {@link #down()}. */
    long reset() {
        return reset.get();
    }

    /** Connections accepted, in every mode. */
    long accepted() {
        return accepted.get();
    }

    void down() {
        setMode(Mode.DOWN);
        synchronized (modeLock) {
            try {
                server.close(); // connecting is refused now
            } catch (IOException e) {
                // closed already
            }
            placeholder = reserve();
        }
        for (Socket s : open) {
            reset.incrementAndGet();
            reset(s);
        }
    }

    void hang() {
        setMode(Mode.HANG);
    }

    /** The port bound by a socket that does not listen (connecting is refused), or null if that failed. */
    private Socket reserve() {
        Socket s = new Socket();
        try {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return s;
        } catch (IOException e) {
            reset(s);
            return null; // the port is free meanwhile, as a real server's would be
        }
    }

    /** Forwarding again; after {@link #down()}, listening on the same port again (before this returns). */
    void up() throws IOException {
        synchronized (modeLock) {
            if (server.isClosed() && !closed) {
                if (placeholder != null) {
                    reset(placeholder);
                    placeholder = null;
                }
                ServerSocket again = new ServerSocket();
                again.setReuseAddress(true);
                again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
                server = again;
            }
        }
        setMode(Mode.UP);
    }

    private void setMode(Mode m) {
        synchronized (modeLock) {
            mode = m;
            modeLock.notifyAll();
        }
    }

    /** Waits while hanging; false once closed. */
    private boolean awaitNotHanging() throws InterruptedException {
        synchronized (modeLock) {
            while (mode == Mode.HANG && !closed) {
                modeLock.wait(200);
            }
        }
        return !closed;
    }

    private void accept() {
        while (!closed) {
            Socket client;
            ServerSocket listening = server;
            try {
                client = listening.accept();
            } catch (IOException e) {
                synchronized (modeLock) { // down: wait until up() listens again
                    while (!closed && server == listening) {
                        try {
                            modeLock.wait(200);
                        } catch (InterruptedException interrupted) {
                            return;
                        }
                    }
                }
                continue;
            }
            accepted.incrementAndGet();
            if (mode == Mode.DOWN) {
                reset(client);
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
            Thread.ofVirtual().start(() -> pipe(client, upstream));
            Thread.ofVirtual().start(() -> pipe(upstream, client));
        }
    }

    private void pipe(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            while (awaitNotHanging()) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                if (!awaitNotHanging()) { // read while it began to hang: held until it is up again
                    break;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // reset or closed: end both sides
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            reset(from);
            reset(to);
        }
    }

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
        closed = true;
        server.close();
        synchronized (modeLock) {
            if (placeholder != null) {
                reset(placeholder);
                placeholder = null;
            }
            mode = Mode.DOWN;
            modeLock.notifyAll();
        }
        for (Socket s : open) {
            reset(s);
        }
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
