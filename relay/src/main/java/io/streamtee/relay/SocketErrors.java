package io.streamtee.relay;

import java.net.BindException;
import java.util.Locale;

/** Turns socket exceptions into one line a person can act on. */
final class SocketErrors {
    private SocketErrors() {
    }

    static String describe(Throwable t) {
        String m = t == null ? "unknown error" : String.valueOf(t.getMessage());
        String lower = m.toLowerCase(Locale.ROOT);
        if (lower.contains("address already in use")) {
            return "address already in use (is another relay or program listening on this port?)";
        }
        if (lower.contains("cannot assign requested address")) {
            return "this machine has no such address (cannot assign requested address)";
        }
        if (lower.contains("permission denied") || t instanceof BindException && lower.contains("denied")) {
            return "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
        }
        if (lower.contains("network is unreachable")) {
            return "network is unreachable";
        }
        if (lower.contains("no such device")) {
            return "no such network device";
        }
        // Netty's native messages look like "bind(..) failed: Address already in use"; keep the errno text.
        int colon = m.lastIndexOf("failed: ");
        return colon >= 0 ? m.substring(colon + 8) : m;
    }
}
