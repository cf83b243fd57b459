package io.streamtee.config;

/**
 * The {@code api} section: the control API, metrics and status page.
 *
 * @param listen host:port to serve on, e.g. {@code 127.0.0.1:8088}
 * @param token  the bearer token requests must carry; required when {@code listen} is not a loopback address
 */
public record ApiConfig(String listen, String token) {
}
