package io.streamtee.net;

import io.streamtee.config.Endpoint;
import java.net.Inet6Address;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The one rule for the interface a multicast input joins its group on, for the relay and every service alike: the
 * interface named by {@code ?iface=}; else the first interface that is up, takes multicast, is not loopback and has an
 * address of the group's family (IPv4 or IPv6); else loopback.
 */
public final class MulticastInterface {

    /** What the rule looks at in one interface (a logic test can make these; the machine's come from the OS). */
    public record Candidate(String name, boolean up, boolean loopback, boolean multicast, boolean ipv4,
            boolean ipv6) {
        static Candidate of(NetworkInterface i) throws SocketException {
            return new Candidate(i.getName(), i.isUp(), i.isLoopback(), i.supportsMulticast(),
                    i.inetAddresses().anyMatch(a -> !(a instanceof Inet6Address)),
                    i.inetAddresses().anyMatch(a -> a instanceof Inet6Address));
        }
    }

    private MulticastInterface() {
    }

    /**
     * The interface {@code input} (a multicast group) joins on.
     *
     * @throws SocketException when the interfaces cannot be listed or none fits (no loopback either)
     */
    public static NetworkInterface of(Endpoint input) throws SocketException {
        NetworkInterface named = input.networkInterface();
        return named != null ? named : defaultFor(input.isIpv6());
    }

    /** The interface a group of the given family joins on when the URL names none. */
    public static NetworkInterface defaultFor(boolean ipv6) throws SocketException {
        List<Candidate> candidates = new ArrayList<>();
        for (NetworkInterface i : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            candidates.add(Candidate.of(i));
        }
        String name = choose(candidates, ipv6);
        NetworkInterface chosen = name == null ? null : NetworkInterface.getByName(name);
        if (chosen == null) {
            throw new SocketException("no network interface to join a multicast group on; name one with ?iface=");
        }
        return chosen;
    }

    /** The rule on its own: the chosen interface's name, or null when there is none (not even loopback). */
    public static String choose(List<Candidate> interfaces, boolean ipv6) {
        String loopback = null;
        for (Candidate c : interfaces) {
            if (!c.up()) {
                continue;
            }
            if (c.loopback()) {
                loopback = loopback == null ? c.name() : loopback;
            } else if (c.multicast() && (ipv6 ? c.ipv6() : c.ipv4())) {
                return c.name();
            }
        }
        return loopback;
    }
}
