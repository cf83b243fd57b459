/**
 * The relay's web server ({@link io.streamtee.relay.http.ControlServer}): the control API (routes, outputs added and
 * removed at runtime), Prometheus metrics, a health check, a live status page, and each route as an HTTP stream
 * ({@code GET /streams/{route}}, one {@link io.streamtee.relay.Output} per client with a bounded queue that drops
 * the oldest data rather than slow the relay).
 */
package io.streamtee.relay.http;
