package io.streamtee.analyze.sink.syslog;

import java.io.IOException;

/** Carries formatted syslog messages to the collector: one datagram each, or a framed TCP stream. */
interface SyslogTransport extends AutoCloseable {

    /**
     * Sends one message, connecting first if not connected (or no longer).
     *
     * @throws IOException with a one-line message if it could not be sent; the next send connects again
     */
    void send(byte[] message) throws IOException, InterruptedException;

    /** Drops the connection, if any. Safe to call twice. */
    @Override
    void close();
}
