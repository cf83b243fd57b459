/**
 * The syslog sink: each event as one RFC 5424 message with structured data ({@code [streamtee@32473 ...]}), over UDP
 * (RFC 5426) or TCP with octet counting (RFC 6587).
 */
package io.streamtee.analyze.sink.syslog;
