package io.streamtee.camera;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A loopback UDP receiver on port 0 that keeps every datagram with its receive time. */
final class UdpCapture implements AutoCloseable {

    record Datagram(byte[] bytes, long receivedNanos) {
    }

    private final DatagramChannel channel;
    private final List<Datagram> datagrams = new ArrayList<>();
    private final Thread thread;

    UdpCapture(String loopback) throws IOException {
        this(InetAddress.getByName(loopback), null);
    }

    private UdpCapture(InetAddress bind, DatagramChannel preopened) throws IOException {
        channel = preopened != null ? preopened : DatagramChannel.open(
                bind instanceof java.net.Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        if (preopened == null) {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20);
            channel.bind(new InetSocketAddress(bind, 0));
        }
        thread = Thread.ofPlatform().name("udp-capture").daemon().start(this::receive);
    }

    /** Receives on an already bound (for example multicast-joined) channel. */
    static UdpCapture on(DatagramChannel channel) throws IOException {
        return new UdpCapture(null, channel);
    }

    private void receive() {
        ByteBuffer buf = ByteBuffer.allocate(65536);
        try {
            while (true) {
                buf.clear();
                channel.receive(buf);
                long now = System.nanoTime();
                buf.flip();
                byte[] bytes = new byte[buf.remaining()];
                buf.get(bytes);
                synchronized (datagrams) {
                    datagrams.add(new Datagram(bytes, now));
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    int port() throws IOException {
        return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    List<Datagram> datagrams() {
        synchronized (datagrams) {
            return List.copyOf(datagrams);
        }
    }

    int count() {
        synchronized (datagrams) {
            return datagrams.size();
        }
    }

    /** Writes the payloads, minus {@code skip} header bytes each, to a file. */
    Path writeTo(Path file, int skip) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            for (Datagram d : datagrams()) {
                out.write(d.bytes(), skip, d.bytes().length - skip);
            }
        }
        return file;
    }

    @Override
    public void close() throws IOException {
        channel.close();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
