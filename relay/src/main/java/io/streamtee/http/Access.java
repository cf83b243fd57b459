package io.streamtee.http;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who may use the control server. On a loopback address it is open unless a token is configured; on any other
 * address (including the wildcard {@code 0.0.0.0} / {@code ::}) a token is required, and every request must carry
 * it as {@code Authorization: Bearer <token>}.
 */
public final class Access {
    private final byte[] token;

    /** @param token the required bearer token, or null/empty for none */
    public Access(String token) {
        this.token = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether a server bound to {@code bind} must have a token: only a loopback address may go without. */
    static boolean tokenRequired(InetAddress bind) {
        return !bind.isLoopbackAddress();
    }

    /**
     * Refuses a configuration that would open the API to the network without a token.
     *
     * @throws IllegalArgumentException with a message for a person
     */
    static void check(InetAddress bind, String host, String token) {
        check("api", bind, host, token);
    }

    /** As {@link #check(InetAddress, String, String)}, the message starting with {@code what} (a key or flag). */
    public static void check(String what, InetAddress bind, String host, String token) {
        if (tokenRequired(bind) && (token == null || token.isEmpty())) {
            throw new IllegalArgumentException(what + ": listening on " + host + " (not loopback) needs a token; set"
                    + " one, or listen on 127.0.0.1");
        }
    }

    public boolean open() {
        return token == null;
    }

    /** Whether an {@code Authorization} header value (may be null) carries the token. Constant time. */
    public boolean allows(String authorization) {
        if (token == null) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return tokenEquals(authorization.substring(7).trim());
    }

    /** Whether {@code candidate} (may be null) is the token. Constant time. */
    public boolean tokenEquals(String candidate) {
        return token == null
                || candidate != null && MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.UTF_8));
    }
}
