package io.streamtee.analyze.event;

/**
 * Where events go: a file, syslog, a webhook, mail, MQTT, a database. Each sink is driven by its own
 * {@link SinkQueue}, on a thread of its own, so it may block and may fail: a sink that is down, slow or refusing never
 * holds up the analysis or another sink.
 */
public interface EventSink extends AutoCloseable {

    /** How logs and counters name the sink, e.g. {@code file:events.jsonl}, {@code mqtt://127.0.0.1:1883}. */
    String name();

    /**
     * Delivers one event. Called on the sink's own thread, one event at a time, in order.
     *
     * @throws Exception if it could not be delivered: the queue retries it after a backoff, up to its attempts
     */
    void deliver(Event event) throws Exception;

    /** Releases what the sink holds (connections, files). Called once, on the sink's thread or after it ended. */
    @Override
    default void close() throws Exception {
    }
}
