package io.streamtee.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP consumer for tests: listens on loopback (port 0, or a given port to come back on after a restart) and
 * records, in order, the bytes of every connection it accepts, on threads of its own. With {@code read} false it
 * accepts and never reads, like a consumer that hangs.
 */
public final class TcpReceiver implements AutoCloseable {
    private final ServerSocket server;
    private final boolean read;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();

    private TcpReceiver(ServerSocket server, boolean read) {
        this.server = server;
        this.read = read;
        Thread acceptor = new Thread(this::acceptLoop, "tcp-receiver-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A receiver on 127.0.0.1:{@code port} (0 for any free port). */
    public static TcpReceiver open(int port, boolean read) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        if (!read) {
            s.setReceiveBufferSize(4096);
        }
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return new TcpReceiver(s, read);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code tcp://127.0.0.1:port?framing=...}. */
    public String url(String framing) {
        return "tcp://127.0.0.1:" + port() + "?framing=" + framing;
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.size();
    }

    /** Every byte received so far, all connections in the order they were read. */
    public synchronized byte[] bytes() {
        return bytes.toByteArray();
    }

    /** The bytes received so far read as {@code framing=length}: whole datagrams only. */
    public List<byte[]> lengthFramed() {
        ByteBuffer b = ByteBuffer.wrap(bytes());
        List<byte[]> out = new ArrayList<>();
        while (b.remaining() >= 2) {
            int n = Short.toUnsignedInt(b.getShort(b.position()));
            if (b.remaining() < 2 + n) {
                break;
            }
            b.getShort();
            byte[] d = new byte[n];
            b.get(d);
            out.add(d);
        }
        return out;
    }

    private void acceptLoop() {
        try {
            while (true) {
                Socket s = server.accept();
                connections.add(s);
                if (read) {
                    Thread t = new Thread(() -> readLoop(s), "tcp-receiver-conn");
                    t.setDaemon(true);
                    t.start();
                }
            }
        } catch (IOException e) {
            // closed by close()
        }
    }

    private void readLoop(Socket s) {
        byte[] buf = new byte[65_536];
        try (InputStream in = s.getInputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (this) {
                    bytes.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** Closes the listener and every connection. */
    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : connections) {
            s.close();
        }
    }
}
