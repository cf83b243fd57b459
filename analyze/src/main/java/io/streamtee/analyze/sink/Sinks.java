package io.streamtee.analyze.sink;

import io.streamtee.analyze.event.EventSink;
import io.streamtee.analyze.event.EventStore;
import io.streamtee.analyze.event.JsonLinesSink;
import io.streamtee.analyze.sink.db.JdbcSink;
import io.streamtee.analyze.sink.mail.SmtpSink;
import io.streamtee.analyze.sink.mqtt.MqttSettings;
import io.streamtee.analyze.sink.mqtt.MqttSink;
import io.streamtee.analyze.sink.syslog.SyslogSink;
import io.streamtee.analyze.sink.webhook.WebhookSink;
import io.streamtee.config.ConfigException;
import io.streamtee.config.Units;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The one place that picks a sink by its URL. Every sink is built lazily: nothing connects until the first delivery,
 * so parsing never needs the server.
 */
public final class Sinks {
    /** The forms {@link #parse(String)} takes, for help texts and errors. */
    public static final String SCHEMES = "file:PATH (or PATH.jsonl), webhook:URL, http://, https://, syslog://,"
            + " syslog+udp://, syslog+tcp://, smtp://, mqtt://, jdbc:";

    /**
     * The cooldown of an email sink when its configuration names none: at most one mail (its START and its END) per
     * camera every 5 minutes. Every other kind has none by default: a file, a database and syslog are the record, and
     * a webhook's or MQTT's receiver is a program that can decide for itself (Home Assistant automations, a chat
     * bridge); give those a {@code ?cooldown=} when a person reads them directly.
     */
    public static final Duration EMAIL_COOLDOWN = Duration.ofMinutes(5);

    private Sinks() {
    }

    /** As {@link #configure(String, Duration)} with the cooldown from the URL or the kind's default. */
    public static ConfiguredSink configure(String url) {
        return configure(url, null);
    }

    /**
     * A sink and its cooldown from how users write it: the URL {@link #parse(String)} takes, optionally with
     * {@code ?cooldown=DURATION} ({@code 0s}, {@code 90s}, {@code 5m}), an option of streamtee's that is taken out of
     * the URL before the sink sees it (for every kind, so a webhook does not pass it on to its receiver).
     *
     * @param cooldown the cooldown configured beside the URL, or null for the URL's {@code ?cooldown=} or, without
     *                 one, the kind's default ({@link #EMAIL_COOLDOWN} for email, else none)
     * @throws ConfigException one line: what {@link #parse(String)} says, or what is wrong with the cooldown
     */
    public static ConfiguredSink configure(String url, Duration cooldown) {
        return configure(url, cooldown, null);
    }

    /**
     * As {@link #configure(String, Duration)}, with where the webhook and mail sinks find events' snapshots.
     *
     * @param snapshots the analyzer's event store, or null (see {@link #parse(String, EventStore)})
     */
    public static ConfiguredSink configure(String url, Duration cooldown, EventStore snapshots) {
        SinkUrl.Taken taken;
        try {
            taken = SinkUrl.take(url == null ? "" : url.strip(), "cooldown");
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        Duration chosen = cooldown;
        if (taken.value() != null) {
            if (cooldown != null) {
                throw new ConfigException("the cooldown is given twice, as ?cooldown= in the URL and beside it; "
                        + "keep one");
            }
            chosen = Units.duration("?cooldown=", taken.value());
        }
        EventSink sink = parse(taken.url(), snapshots);
        if (chosen == null) {
            chosen = sink instanceof SmtpSink ? EMAIL_COOLDOWN : Duration.ZERO;
        }
        return new ConfiguredSink(sink, chosen);
    }

    /**
     * A sink from how users write it: {@code file:PATH} or a path ending in {@code .jsonl} (JSON Lines),
     * {@code webhook:URL} / {@code http://} / {@code https://} (webhook), {@code syslog://} / {@code syslog+udp://} /
     * {@code syslog+tcp://} (syslog), {@code smtp://} (email), {@code mqtt://} (MQTT), {@code jdbc:} (database).
     *
     * @throws ConfigException one line naming the sink and what is wrong, or listing the schemes when none fits
     */
    public static EventSink parse(String url) {
        return parse(url, null);
    }

    /**
     * As {@link #parse(String)}, with where the webhook and mail sinks find events' snapshots.
     *
     * @param snapshots the analyzer's event store, or null: webhooks then send the snapshot's path as it is and
     *                  mails go without a picture
     */
    public static EventSink parse(String url, EventStore snapshots) {
        String text = url == null ? "" : url.strip();
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.startsWith("file:")) {
            String path = text.substring(5);
            if (path.isEmpty()) {
                throw new ConfigException("sink 'file:': a path is needed, e.g. file:events.jsonl");
            }
            return new JsonLinesSink(Path.of(path));
        }
        if (lower.startsWith("webhook:") || lower.startsWith("http://") || lower.startsWith("https://")) {
            return WebhookSink.parse(text, snapshots);
        }
        if (lower.startsWith("syslog://") || lower.startsWith("syslog+udp://") || lower.startsWith("syslog+tcp://")) {
            return SyslogSink.parse(text);
        }
        if (lower.startsWith("smtp://")) {
            return snapshots == null ? SmtpSink.parse(text) : SmtpSink.parse(text, snapshots::jpeg);
        }
        if (lower.startsWith("mqtt://")) {
            return new MqttSink(MqttSettings.parse(text));
        }
        if (lower.startsWith("jdbc:")) {
            return JdbcSink.parse(text);
        }
        if (lower.endsWith(".jsonl") && !lower.matches("^[a-z][a-z0-9+.-]*://.*")) {
            return new JsonLinesSink(Path.of(text));
        }
        String shown = text.contains("@") ? text.replaceAll("//[^/@]*@", "//***@") : text;
        throw new ConfigException("sink '" + shown + "': unknown kind; use one of " + SCHEMES);
    }
}
