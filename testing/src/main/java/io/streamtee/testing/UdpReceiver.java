package io.streamtee.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A UDP consumer for tests: binds port 0 on loopback (or joins a group), and records every datagram it receives,
 * in order and with its receive time, on a thread of its own. Script it, run the code under test, then check what
 * it got.
 */
public final class UdpReceiver implements AutoCloseable {
    /** One datagram as received, and when ({@link System#nanoTime()} just after the receive returned). */
    public record Datagram(byte[] bytes, long receivedNanos) {
    }

    private final DatagramChannel channel;
    private final List<Datagram> received = new ArrayList<>();
    private final Thread reader;
    private final InetSocketAddress address;

    private UdpReceiver(DatagramChannel channel, InetSocketAddress address, boolean read) {
        this.channel = channel;
        this.address = address;
        this.reader = new Thread(this::readLoop, "udp-receiver-" + address.getPort());
        reader.setDaemon(true);
        if (read) {
            reader.start();
        }
    }

    /** A receiver on {@code host}:0 that reads everything. */
    public static UdpReceiver open(String host) throws IOException {
        return open(host, true);
    }

    /**
     * A receiver on {@code host}:0; with {@code read} false it never reads, like a consumer that hangs, and its
     * small receive buffer fills at once.
     */
    public static UdpReceiver open(String host, boolean read) throws IOException {
        InetAddress addr = InetAddress.getByName(host);
        DatagramChannel ch = DatagramChannel.open(addr instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        ch.setOption(StandardSocketOptions.SO_RCVBUF, read ? 8 << 20 : 4096);
        ch.bind(new InetSocketAddress(addr, 0));
        return new UdpReceiver(ch, (InetSocketAddress) ch.getLocalAddress(), read);
    }

    /** A receiver that joins {@code group} on {@code iface} (loopback in tests) and reads everything. */
    public static UdpReceiver multicast(String group, NetworkInterface iface) throws IOException {
        InetAddress g = InetAddress.getByName(group);
        DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
        ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        ch.bind(new InetSocketAddress(g, 0));
        ch.join(g, iface);
        int port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
        return new UdpReceiver(ch, new InetSocketAddress(g, port), true);
    }

    /** A receiver that reads everything from an already bound (for example multicast-joined) channel. */
    public static UdpReceiver on(DatagramChannel channel) throws IOException {
        return new UdpReceiver(channel, (InetSocketAddress) channel.getLocalAddress(), true);
    }

    /** Where to send to reach this receiver. */
    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    /** {@code udp://host:port} of this receiver. */
    public String url() {
        String host = address.getAddress().getHostAddress();
        return "udp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    public synchronized int count() {
        return received.size();
    }

    /** The payloads received so far, in order. */
    public synchronized List<byte[]> datagrams() {
        return received.stream().map(Datagram::bytes).collect(java.util.stream.Collectors.toCollection(ArrayList::new));
    }

    /** The datagrams received so far, in order, with their receive times. */
    public synchronized List<Datagram> timed() {
        return List.copyOf(received);
    }

    /** Writes the payloads received so far, minus {@code skip} header bytes each, to {@code file}; returns it. */
    public Path writeTo(Path file, int skip) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            for (Datagram d : timed()) {
                out.write(d.bytes(), skip, d.bytes().length - skip);
            }
        }
        return file;
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocateDirect(65_536);
        try {
            while (true) {
                buf.clear();
                channel.receive(buf);
                long now = System.nanoTime();
                buf.flip();
                byte[] b = new byte[buf.remaining()];
                buf.get(b);
                synchronized (this) {
                    received.add(new Datagram(b, now));
                }
            }
        } catch (ClosedChannelException e) {
            // closed by close()
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
        if (reader.isAlive()) {
            try {
                reader.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
