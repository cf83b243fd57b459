package io.streamtee.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** The bearer token a {@link WebServer} checks, compared in constant time. */
final class Access {
    private final byte[] token;

    /** @param token the required bearer token, or null/empty for none */
    Access(String token) {
        this.token = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    boolean open() {
        return token == null;
    }

    /** Whether an {@code Authorization} header value (may be null) carries the token. Constant time. */
    boolean allows(String authorization) {
        if (token == null) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return tokenEquals(authorization.substring(7).trim());
    }

    /** Whether {@code candidate} (may be null) is the token. Constant time. */
    boolean tokenEquals(String candidate) {
        return token == null
                || candidate != null && MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.UTF_8));
    }
}
