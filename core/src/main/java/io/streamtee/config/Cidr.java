package io.streamtee.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An address block such as {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a bare address means a single host.
 * An IPv4 block also matches the IPv4-mapped IPv6 form of its addresses ({@code ::ffff:10.0.0.7}).
 */
public record Cidr(byte[] network, int prefix, String text) {

    public static Cidr parse(String text) {
        String t = text == null ? "" : text.strip();
        int slash = t.indexOf('/');
        String host = slash < 0 ? t : t.substring(0, slash);
        if (host.isEmpty() || !(Character.digit(host.charAt(0), 16) >= 0 || host.startsWith(":"))) {
            throw new ConfigException("bad CIDR '" + text + "': expected an address block like 10.0.0.0/8 or ::1/128");
        }
        byte[] addr;
        try {
            // Only literal addresses: InetAddress.getByName would resolve a host name, which a CIDR never is.
            if (!(host.contains(":") ? host.matches("[0-9a-fA-F:.]+") : host.matches("\\d{1,3}(\\.\\d{1,3}){3}"))) {
                throw new UnknownHostException(host);
            }
            addr = InetAddress.getByName(host).getAddress();
        } catch (UnknownHostException e) {
            throw new ConfigException("bad CIDR '" + text + "': '" + host + "' is not an IP address");
        }
        int max = addr.length * 8;
        int prefix = max;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new ConfigException("bad CIDR '" + text + "': prefix length is not a number");
            }
            if (prefix < 0 || prefix > max) {
                throw new ConfigException("bad CIDR '" + text + "': prefix length must be 0-" + max);
            }
        }
        return new Cidr(mask(addr, prefix), prefix, t);
    }

    private static byte[] mask(byte[] addr, int prefix) {
        byte[] out = addr.clone();
        for (int i = 0; i < out.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xff << (8 - bits));
        }
        return out;
    }

    /** Whether {@code address} lies in this block. */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length == 16 && network.length == 4 && isV4Mapped(a)) {
            a = java.util.Arrays.copyOfRange(a, 12, 16);
        }
        if (a.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rem = prefix % 8;
        if (rem == 0) {
            return true;
        }
        int m = (0xff << (8 - rem)) & 0xff;
        return (a[full] & m) == (network[full] & 0xff);
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && java.util.Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Arrays.hashCode(network) + prefix;
    }
}
