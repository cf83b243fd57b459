package io.streamtee.camera;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * Where a camera sends: {@code udp://host:port}, {@code rtp://host:port} or a bare {@code host:port} (UDP);
 * IPv6 literals in brackets ({@code [::1]:5000}). For a multicast group, {@code ?ttl=N} (default 1) and
 * {@code ?iface=NAME-or-ADDRESS} choose the hop limit and the outgoing interface.
 *
 * @param address the resolved destination
 * @param rtp the URL asked for RTP ({@code rtp://})
 * @param ttl multicast TTL / hop limit, 0..255
 * @param iface the multicast interface, or null for the system's choice
 */
public record Destination(InetSocketAddress address, boolean rtp, int ttl, NetworkInterface iface) {

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
        return new Destination(address, false, 1, null);
    }

    public boolean multicast() {
        return address.getAddress().isMulticastAddress();
    }

    /**
     * Parses a destination URL, resolving the host.
     *
     * @throws IllegalArgumentException with a one-line message naming the bad part
     */
    public static Destination parse(String url) {
        Objects.requireNonNull(url, "url");
        String rest = url.trim();
        boolean rtp = false;
        if (rest.startsWith("udp://")) {
            rest = rest.substring(6);
        } else if (rest.startsWith("rtp://")) {
            rest = rest.substring(6);
            rtp = true;
        } else if (rest.contains("://")) {
            throw new IllegalArgumentException(url + ": unsupported scheme (use udp://, rtp:// or host:port)");
        }
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        String host;
        String port;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0 || close + 1 >= rest.length() || rest.charAt(close + 1) != ':') {
                throw new IllegalArgumentException(url + ": expected [ipv6]:port");
            }
            host = rest.substring(1, close);
            port = rest.substring(close + 2);
        } else {
            int colon = rest.lastIndexOf(':');
            if (colon <= 0 || rest.indexOf(':') != colon) {
                throw new IllegalArgumentException(url + ": expected host:port (IPv6 in brackets: [::1]:5000)");
            }
            host = rest.substring(0, colon);
            port = rest.substring(colon + 1);
        }
        int portNumber;
        try {
            portNumber = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(url + ": port '" + port + "' is not a number");
        }
        if (portNumber < 1 || portNumber > 65535) {
            throw new IllegalArgumentException(url + ": port must be 1..65535, got " + portNumber);
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(url + ": cannot resolve host '" + host + "'");
        }
        int ttl = 1;
        NetworkInterface iface = null;
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            switch (key) {
                case "ttl" -> {
                    try {
                        ttl = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(url + ": ttl '" + value + "' is not a number");
                    }
                    if (ttl < 0 || ttl > 255) {
                        throw new IllegalArgumentException(url + ": ttl must be 0..255, got " + ttl);
                    }
                }
                case "iface" -> iface = networkInterface(url, value);
                default -> throw new IllegalArgumentException(url + ": unknown option '" + key
                        + "' (known: ttl, iface)");
            }
        }
        return new Destination(new InetSocketAddress(address, portNumber), rtp, ttl, iface);
    }

    private static NetworkInterface networkInterface(String url, String value) {
        try {
            NetworkInterface byName = NetworkInterface.getByName(value);
            if (byName != null) {
                return byName;
            }
            if (!value.isEmpty() && (Character.digit(value.charAt(0), 16) >= 0 || value.contains(":"))) {
                NetworkInterface byAddress = NetworkInterface.getByInetAddress(InetAddress.getByName(value));
                if (byAddress != null) {
                    return byAddress;
                }
            }
        } catch (SocketException | UnknownHostException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException(url + ": no network interface named or addressed '" + value + "'");
    }

    @Override
    public String toString() {
        InetAddress a = address.getAddress();
        String host = a instanceof java.net.Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
        return (rtp ? "rtp://" : "udp://") + host + ":" + address.getPort();
    }
}
