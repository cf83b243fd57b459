package io.streamtee.camera;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sends datagrams over a plain NIO {@link DatagramChannel}, optionally inside RTP (RFC 2250: payload type 33,
 * 90 kHz timestamps derived from the PCR, a random SSRC and initial sequence number and timestamp).
 */
final class UdpSender implements DatagramSink {

    static final int RTP_HEADER = 12;
    static final int RTP_PAYLOAD_TYPE_MP2T = 33;

    private final DatagramChannel channel;
    private final InetSocketAddress target;
    private final boolean rtp;
    private final ByteBuffer out = ByteBuffer.allocateDirect(RTP_HEADER + 7 * 188 * 2);
    private final int ssrc;
    private final int timestampOffset;
    private int sequence;
    private boolean closed;

    UdpSender(Destination to, boolean rtp) throws IOException {
        this.target = to.address();
        this.rtp = rtp || to.rtp();
        boolean v6 = target.getAddress() instanceof Inet6Address;
        channel = DatagramChannel.open(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 20);
            if (to.multicast()) {
                channel.setOption(StandardSocketOptions.IP_MULTICAST_TTL, to.ttl());
                channel.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, to.loop());
                if (to.iface() != null) {
                    channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, to.iface());
                }
            }
            channel.bind(null);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw new IOException(to + ": cannot open a UDP socket: " + e.getMessage(), e);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        ssrc = random.nextInt();
        timestampOffset = random.nextInt();
        sequence = random.nextInt(1 << 16);
    }

    InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    @Override
    public void send(byte[] buf, int length, long streamTime) throws IOException {
        out.clear();
        if (rtp) {
            out.put((byte) 0x80); // V=2, no padding, no extension, no CSRC
            out.put((byte) RTP_PAYLOAD_TYPE_MP2T); // M=0
            out.putShort((short) sequence);
            out.putInt((int) (streamTime / 300) + timestampOffset);
            out.putInt(ssrc);
            sequence = (sequence + 1) & 0xFFFF;
        }
        out.put(buf, 0, length);
        out.flip();
        channel.send(out, target);
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            channel.close();
        }
    }
}
