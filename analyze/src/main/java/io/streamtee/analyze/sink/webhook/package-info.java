/**
 * The webhook sink: each event POSTed as JSON to an HTTP(S) URL, optionally signed (HMAC-SHA256 in
 * {@code X-Streamtee-Signature}, see {@link io.streamtee.analyze.sink.webhook.WebhookSink} for how a receiver
 * checks it), with the JDK's own HTTP client.
 */
package io.streamtee.analyze.sink.webhook;
