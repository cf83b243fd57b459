package io.streamtee.camera;

import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a camera sends: {@code udp://host:port}, {@code rtp://host:port} or a bare {@code host:port} (UDP);
 * IPv6 literals in brackets ({@code [::1]:5000}). For a multicast group, {@code ?ttl=N} (default 1),
 * {@code ?iface=NAME-or-ADDRESS} and {@code ?loop=0|1} choose the hop limit, the outgoing interface and whether this
 * host hears it too. The URL is parsed by core's {@link Endpoint}, as the relay's outputs are.
 *
 * @param address the resolved destination
 * @param rtp the URL asked for RTP ({@code rtp://})
 * @param ttl multicast TTL / hop limit, 0..255
 * @param iface the multicast interface, or null for the system's choice
 * @param loop whether multicast sent loops back to this host
 */
public record Destination(InetSocketAddress address, boolean rtp, int ttl, NetworkInterface iface, boolean loop) {

    public Destination {
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("unresolved destination " + address);
        }
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("ttl must be 0..255, got " + ttl);
        }
    }

    public static Destination of(InetSocketAddress address) {
        return new Destination(address, false, 1, null, true);
    }

    public boolean multicast() {
        return address.getAddress().isMulticastAddress();
    }

    /**
     * Parses a destination URL, resolving the host.
     *
     * @throws ConfigException with a one-line message quoting the URL and naming the bad part
     */
    public static Destination parse(String url) {
        Objects.requireNonNull(url, "url");
        String text = url.strip();
        String lower = text.toLowerCase(Locale.ROOT);
        boolean rtp = lower.startsWith("rtp://");
        if (rtp) {
            text = "udp://" + text.substring(6); // RTP is UDP underneath: the same host, port and options
        } else if (lower.contains("://") && !lower.startsWith("udp://")) {
            throw new ConfigException("bad URL '" + url + "': scheme '" + lower.substring(0, lower.indexOf("://"))
                    + "' is not supported for a camera (use udp://, rtp:// or host:port)");
        }
        Endpoint endpoint;
        try {
            endpoint = Endpoint.parse(text, Endpoint.Role.OUTPUT);
        } catch (ConfigException e) {
            throw rtp ? new ConfigException(e.getMessage().replace("'" + text + "'", "'" + url + "'"), e) : e;
        }
        return new Destination(endpoint.address(), rtp, endpoint.ttl(), endpoint.networkInterface(), endpoint.loop());
    }

    @Override
    public String toString() {
        InetAddress a = address.getAddress();
        String host = a instanceof java.net.Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
        return (rtp ? "rtp://" : "udp://") + host + ":" + address.getPort();
    }
}
