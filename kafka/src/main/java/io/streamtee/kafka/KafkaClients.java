package io.streamtee.kafka;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/** Small helpers over Kafka's client shared by the output and the input. */
final class KafkaClients {
    private KafkaClients() {
    }

    /** A one-line description of a Kafka client failure: its message, and its cause's when that says more. */
    static String describe(Throwable e) {
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !text.contains(cause.getMessage())) {
            text = text + ": " + cause.getMessage();
        }
        return text.replace('\n', ' ');
    }

    /** The value of the client metric {@code group}/{@code name} (without tags), rounded; 0 when absent or NaN. */
    static long metric(Map<MetricName, ? extends Metric> metrics, String group, String name) {
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            MetricName n = e.getKey();
            if (n.group().equals(group) && n.name().equals(name)) {
                Object v = e.getValue().metricValue();
                if (v instanceof Number num) {
                    double d = num.doubleValue();
                    return Double.isNaN(d) || Double.isInfinite(d) ? 0 : Math.round(d);
                }
            }
        }
        return 0;
    }

    /** What a TCP connection to a broker said: whether something listens there, and in a few words. */
    record Probe(boolean listening, String text) {
    }

    /**
     * What a TCP connection to {@code hostPort} (a broker of the URL) says, in a few words: nothing listens (the
     * error), or something does that gave the client no Kafka answer. Blocks up to one second.
     */
    static String probe(String hostPort) {
        return connect(hostPort).text();
    }

    /** Connects to {@code hostPort} and closes; blocks up to one second. */
    static Probe connect(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(hostPort.substring(colon + 1));
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1_000);
            return new Probe(true, hostPort + " accepts connections but gave no Kafka answer: is it a Kafka broker,"
                    + " with the right security.protocol?");
        } catch (IOException e) {
            return new Probe(false, hostPort + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()));
        }
    }
}
