package io.streamtee.analyze.sink.syslog;

import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.event.EventSink;
import io.streamtee.analyze.sink.SinkUrl;
import io.streamtee.config.ConfigException;
import io.streamtee.config.Units;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;

/**
 * Sends each event to a syslog collector (rsyslog, syslog-ng, journald's remote, a SIEM) as one RFC 5424 message
 * ({@link SyslogFormat}), over UDP (one datagram per message, RFC 5426) or TCP (octet counting, RFC 6587). Nothing
 * connects before the first delivery; a TCP connection that failed is made again on the next one.
 */
public final class SyslogSink implements EventSink {
    /** The port when the URL names none, for both UDP and TCP (the port rsyslog and syslog-ng listen on). */
    public static final int DEFAULT_PORT = 514;
    /** How long connecting, and taking one message, may take a TCP collector, by default. */
    public static final Duration TCP_TIMEOUT = Duration.ofSeconds(10);

    private final String name;
    private final SyslogFormat format;
    private final SyslogTransport transport;

    SyslogSink(String name, SyslogFormat format, SyslogTransport transport) {
        this.name = name;
        this.format = format;
        this.transport = transport;
    }

    /**
     * A sink from how users write it: {@code syslog+udp://host[:port]} ({@code syslog://} is the same) or
     * {@code syslog+tcp://host[:port]}, port 514 by default, with options in the query:
     * <ul>
     * <li>{@code facility=daemon} (the default), {@code local0} .. {@code local7}, or any other RFC 5424 name;</li>
     * <li>{@code hostname=...} the HOSTNAME field, by default this machine's name;</li>
     * <li>{@code timeout=10s} (TCP) how long connecting, and the collector taking one message, may take.</li>
     * </ul>
     *
     * @throws ConfigException naming the sink and what is wrong
     */
    public static SyslogSink parse(String url) {
        String text = url == null ? "" : url.strip();
        String label = "sink '" + text + "'";
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigException(label + ": not a URL (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean tcp = switch (scheme) {
            case "syslog", "syslog+udp" -> false;
            case "syslog+tcp" -> true;
            default -> throw new ConfigException(label + ": syslog needs syslog+udp://host:port or "
                    + "syslog+tcp://host:port");
        };
        if (uri.getHost() == null) {
            throw new ConfigException(label + ": the URL has no host (syslog+udp://host:port)");
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
            throw new ConfigException(label + ": a syslog URL has no path, only host:port and ?options");
        }
        int facility = SyslogFormat.facility("daemon");
        String hostname = null;
        Duration timeout = TCP_TIMEOUT;
        for (SinkUrl.Param param : SinkUrl.params(uri.getRawQuery())) {
            String key = param.key();
            String value = param.value();
            switch (key) {
                case "facility" -> {
                    facility = SyslogFormat.facility(value);
                    if (facility < 0) {
                        throw new ConfigException(label + ": ?facility= must be one of "
                                + String.join(", ", SyslogFormat.facilities()) + ", not '" + value + "'");
                    }
                }
                case "hostname" -> hostname = value;
                case "timeout" -> {
                    timeout = Units.duration(label + ": ?timeout=", value);
                    if (timeout.isZero() || timeout.isNegative()) {
                        throw new ConfigException(label + ": ?timeout= must be more than 0");
                    }
                }
                default -> throw new ConfigException(label + ": unknown option ?" + key
                        + "= (known: facility, hostname, timeout)");
            }
        }
        String host = uri.getHost();
        int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
        String name = (tcp ? "syslog+tcp://" : "syslog+udp://") + host + ":" + port;
        SyslogFormat format = new SyslogFormat(facility, hostname == null ? localHostname() : hostname,
                Long.toString(ProcessHandle.current().pid()), System::currentTimeMillis);
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return new SyslogSink(name, format,
                tcp ? new TcpTransport(bare, port, name, timeout) : new UdpTransport(bare, port, name));
    }


    /** This machine's name, or null (sent as {@code -}) when it has none. */
    static String localHostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return null;
        }
    }

    /** {@code syslog+udp://host:port} or {@code syslog+tcp://host:port}. */
    @Override
    public String name() {
        return name;
    }

    /** Sends the event as one message; for TCP, connects first if not connected. */
    @Override
    public void deliver(Event event) throws IOException, InterruptedException {
        transport.send(format.format(event));
    }

    /** Drops the connection. Safe to call twice. */
    @Override
    public void close() {
        transport.close();
    }
}
