package io.streamtee.record;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP forwarder to put between a client and a server in tests: 127.0.0.1 on a free port, each connection
 * forwarded to {@code target}. {@link #down()} resets every open connection and every new one until {@link #up()},
 * so the server is unreachable for a while without being stopped or moving to another port; {@link #hang()} makes
 * new connections go nowhere (read, never answered).
 * {@link #breakOnceAfter(long)} resets one connection in the middle of a request. {@link #delay(Duration)} holds
 * every request (each burst of bytes to the server after a pause) for a while before forwarding it: a slow store;
 * {@link #refuse(int, String)} answers every request with an HTTP error and closes: a store that refuses.
 */
final class TcpForwarder implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean down;
    private volatile boolean hang;
    private volatile long delayNanos;
    /** The HTTP status line and S3 error code to answer every request with, or null. */
    private volatile String[] refusal;
    private final AtomicLong delayed = new AtomicLong();
    private final AtomicLong refusedRequests = new AtomicLong();
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
        delayNanos = 0;
        refusal = null;
    }

    /**
     * Every request (a burst of bytes to the server after at least 50 ms without any) waits {@code delay} before it
     * is forwarded, on open connections and new ones, until {@link #up()}.
     */
    void delay(Duration delay) {
        delayNanos = delay.toNanos();
    }

    /** Requests held by {@link #delay(Duration)}. */
    long delayed() {
        return delayed.get();
    }

    /**
     * Every new connection's requests are answered with {@code status} (e.g. {@code 503 Slow Down}) and an S3 error
     * body with {@code code} (e.g. {@code SlowDown}), then closed, until {@link #up()}. Open connections are reset.
     */
    void refuse(int status, String code) {
        refusal = new String[] {status + " " + code, code};
        for (Socket s : open) {
            reset(s);
        }
    }

    /** Requests answered with an error by {@link #refuse(int, String)}. */
    long refusedRequests() {
        return refusedRequests.get();
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
            String[] answer = refusal;
            if (answer != null) {
                open.add(client);
                Thread.ofVirtual().start(() -> answer(client, answer));
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
        long last = 0;
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                carried += n;
                long now = System.nanoTime();
                long hold = delayNanos;
                if (toServer && hold > 0 && now - last > 50_000_000L) {
                    delayed.incrementAndGet();
                    Thread.sleep(Duration.ofNanos(hold)); // the slow store: this request waits before it goes on
                }
                last = System.nanoTime();
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
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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

    /** Reads each request's head and body (by Content-Length) and answers it with the refusal, then closes. */
    private void answer(Socket client, String[] refusal) {
        try (InputStream in = client.getInputStream(); OutputStream out = client.getOutputStream()) {
            StringBuilder head = new StringBuilder();
            for (int b; !head.toString().endsWith("\r\n\r\n"); ) {
                if ((b = in.read()) < 0) {
                    return;
                }
                head.append((char) b);
            }
            java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)")
                    .matcher(head);
            long body = length.find() ? Long.parseLong(length.group(1)) : 0;
            if (!head.toString().toLowerCase(java.util.Locale.ROOT).contains("expect: 100-continue")) {
                in.skipNBytes(Math.min(body, 64L << 20)); // else the client waits for our answer before its body
            }
            String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + refusal[1]
                    + "</Code><Message>refused by the test</Message></Error>";
            out.write(("HTTP/1.1 " + refusal[0] + "\r\nContent-Type: application/xml\r\nContent-Length: "
                    + xml.length() + "\r\nConnection: close\r\n\r\n" + xml)
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            out.flush();
            refusedRequests.incrementAndGet();
        } catch (IOException e) {
            // reset or closed
        } finally {
            open.remove(client);
            try {
                client.close();
            } catch (IOException e) {
                // already closed
            }
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
