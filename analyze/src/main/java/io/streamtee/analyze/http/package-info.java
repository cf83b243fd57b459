/**
 * The analyzer's web server ({@code streamtee analyze --http}): a page of recent events with their snapshots, the
 * events API, the snapshot JPEGs and Prometheus metrics, on core's {@link io.streamtee.http.WebServer}.
 */
package io.streamtee.analyze.http;
