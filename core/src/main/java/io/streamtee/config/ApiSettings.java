package io.streamtee.config;

import java.net.InetSocketAddress;

/**
 * The checked {@code api} section.
 *
 * @param listen where to serve (port 0 picks a free port)
 * @param token  the bearer token, or null when none is required (loopback only)
 */
public record ApiSettings(InetSocketAddress listen, String token) {

    /** Whether requests must carry the token: always off loopback, and on loopback when one is set. */
    public boolean tokenRequired() {
        return token != null;
    }

    /**
     * Checks a server address given as a flag ({@code --api 127.0.0.1:8088}), errors naming {@code flag} for the
     * address and {@code tokenSource} (a flag, or {@code STREAMTEE_API_TOKEN}) for the token.
     */
    public static ApiSettings fromFlag(String flag, String listen, String token, String tokenSource) {
        try {
            return check(flag, new ApiConfig(listen, token));
        } catch (ConfigException e) {
            throw new ConfigException(e.getMessage().replace(flag + ".listen", flag)
                    .replace(flag + ".token", tokenSource), e);
        }
    }

    /**
     * Checks a web server's address given as a flag ({@code --http 127.0.0.1:8082}), its token from the environment
     * variable {@code STREAMTEE_API_TOKEN}: one line naming {@code flag} when the address is bad, or is not loopback
     * and there is no token.
     */
    public static ApiSettings fromHttpFlag(String flag, String listen) {
        return fromHttpFlag(flag, listen, System::getenv);
    }

    /** As {@link #fromHttpFlag(String, String)}, the environment read through {@code env}. */
    public static ApiSettings fromHttpFlag(String flag, String listen, java.util.function.UnaryOperator<String> env) {
        try {
            return fromFlag(flag, listen, env.apply("STREAMTEE_API_TOKEN"), "STREAMTEE_API_TOKEN");
        } catch (ConfigException e) {
            if (e.getMessage().startsWith("STREAMTEE_API_TOKEN: required")) {
                throw new ConfigException(flag + ": " + listen + " is not a loopback address: set STREAMTEE_API_TOKEN"
                        + " (16 characters or more) to require it, or listen on 127.0.0.1", e);
            }
            throw e;
        }
    }

    /** Checks an {@code api} section; {@code key} names it in errors ({@code api} or {@code --api}). */
    public static ApiSettings check(String key, ApiConfig raw) {
        if (raw == null || raw.listen() == null) {
            throw ConfigException.at(key + ".listen", "missing (e.g. 127.0.0.1:8088)");
        }
        Endpoint e;
        try {
            e = Endpoint.parse(raw.listen(), Endpoint.Role.INPUT);
        } catch (ConfigException ex) {
            throw ConfigException.at(key + ".listen", ex.getMessage().replace("bad URL", "bad address"));
        }
        String token = raw.token() == null || raw.token().isBlank() ? null : raw.token().strip();
        if (!e.address().getAddress().isLoopbackAddress() && token == null) {
            throw ConfigException.at(key + ".token", "required when the API listens on " + raw.listen()
                    + ", which is not a loopback address (or set STREAMTEE_API_TOKEN)");
        }
        if (token != null && token.length() < 16) {
            throw ConfigException.at(key + ".token", "too short: use at least 16 characters");
        }
        return new ApiSettings(e.address(), token);
    }
}
