package io.streamtee.analyze.sink.syslog;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * Syslog over UDP (RFC 5426): one message per datagram, nothing else. Fire and forget: a collector that is down
 * loses what is sent meanwhile and the sender cannot tell (the socket is not connected, so the ICMP answers of a
 * closed port are ignored rather than failing a later send). The name is resolved on the first send, and again
 * after a send failed.
 */
final class UdpTransport implements SyslogTransport {
    private final String host;
    private final int port;
    private final String shown;
    private DatagramChannel channel;
    private InetSocketAddress collector;

    UdpTransport(String host, int port, String shown) {
        this.host = host;
        this.port = port;
        this.shown = shown;
    }

    @Override
    public void send(byte[] message) throws IOException {
        try {
            if (channel == null) {
                collector = new InetSocketAddress(host, port);
                if (collector.isUnresolved()) {
                    throw new IOException("unknown host " + host);
                }
                channel = DatagramChannel.open();
            }
            channel.send(ByteBuffer.wrap(message), collector);
        } catch (IOException e) {
            close();
            throw new IOException(shown + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()), e);
        }
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing was buffered
            }
            channel = null;
        }
    }
}
