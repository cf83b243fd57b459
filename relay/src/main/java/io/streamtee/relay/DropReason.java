package io.streamtee.relay;

/** Why a copy of a datagram did not leave for an output. Counted per output, never fatal. */
public enum DropReason {
    /** The destination port is closed: the kernel reported an ICMP port-unreachable (ECONNREFUSED). */
    REFUSED("refused", "port closed (ICMP port unreachable)"),
    /** No route to the destination network or host (ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL). */
    UNREACHABLE("unreachable", "no route to destination"),
    /** The output's socket buffer and bounded queue are full: the consumer or the link cannot keep up. */
    BUFFER_FULL("buffer_full", "send buffer full"),
    /** The datagram is larger than the path allows (EMSGSIZE). */
    TOO_BIG("too_big", "datagram too big for the path"),
    /** Any other send error (permission denied by a firewall, I/O error, ...). */
    OTHER("other", "send error");

    private final String key;
    private final String description;

    DropReason(String key, String description) {
        this.key = key;
        this.description = description;
    }

    /** A short stable name for logs and metrics, e.g. {@code refused}. */
    public String key() {
        return key;
    }

    public String description() {
        return description;
    }
}
