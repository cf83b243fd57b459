package io.streamtee.analyze.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.analyze.event.EventSink;
import io.streamtee.analyze.event.JsonLinesSink;
import io.streamtee.analyze.sink.db.JdbcSink;
import io.streamtee.analyze.sink.mail.SmtpSink;
import io.streamtee.analyze.sink.mqtt.MqttSink;
import io.streamtee.analyze.sink.syslog.SyslogSink;
import io.streamtee.analyze.sink.webhook.WebhookSink;
import io.streamtee.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Picking a sink by its URL; nothing connects (every sink is lazy), so no server is needed. */
class SinksTest {
    @TempDir
    Path dir;

    private static EventSink parsed(String url, Class<? extends EventSink> kind) throws Exception {
        EventSink sink = Sinks.parse(url);
        assertThat(sink).as(url).isInstanceOf(kind);
        sink.close();
        return sink;
    }

    @Test
    void jsonLinesFromFileOrADotJsonlPath() throws Exception {
        Path file = dir.resolve("a.jsonl");
        assertThat(parsed("file:" + dir.resolve("events.log"), JsonLinesSink.class).name())
                .isEqualTo("file:" + dir.resolve("events.log"));
        assertThat(parsed(file.toString(), JsonLinesSink.class).name()).isEqualTo("file:" + file);
        assertThat(parsed("events.JSONL", JsonLinesSink.class).name()).isEqualTo("file:events.JSONL");
    }

    @Test
    void webhooks() throws Exception {
        parsed("webhook:https://127.0.0.1:9/x", WebhookSink.class);
        parsed("http://127.0.0.1:9/hook", WebhookSink.class);
        parsed("HTTPS://127.0.0.1:9/hook?secret=s3cr3t", WebhookSink.class);
        assertThat(Sinks.parse("https://127.0.0.1:9/hook?secret=s3cr3t").name()).doesNotContain("s3cr3t");
    }

    @Test
    void syslogOverUdpAndTcp() throws Exception {
        parsed("syslog://127.0.0.1:514", SyslogSink.class);
        parsed("syslog+udp://127.0.0.1:514", SyslogSink.class);
        parsed("syslog+tcp://127.0.0.1:601", SyslogSink.class);
    }

    @Test
    void smtpMqttAndJdbc() throws Exception {
        assertThat(parsed("smtp://u:hunter22@127.0.0.1:2525?to=me@example.org&from=cam@example.org",
                SmtpSink.class).name()).doesNotContain("hunter22");
        parsed("mqtt://127.0.0.1:1883", MqttSink.class);
        parsed("jdbc:sqlite:" + dir.resolve("events.db"), JdbcSink.class);
    }

    @Test
    void aSinksOwnErrorNamesIt() {
        assertThatThrownBy(() -> Sinks.parse("smtp://127.0.0.1:2525")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("sink 'smtp://127.0.0.1:2525'").hasMessageContaining("to");
        assertThatThrownBy(() -> Sinks.parse("file:")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("sink 'file:'");
    }

    @Test
    void anUnknownKindListsTheSchemesOnOneLine() {
        for (String url : new String[] {"nope://x", "events.txt", "", "ftp://u:pw@h/x.jsonl"}) {
            assertThatThrownBy(() -> Sinks.parse(url)).as(url).isInstanceOf(ConfigException.class)
                    .hasMessage("sink '" + url.replace("u:pw@", "***@") + "': unknown kind; use one of "
                            + Sinks.SCHEMES)
                    .hasMessageContaining("mqtt://").hasMessageNotContaining("\n");
        }
    }

    private static ConfiguredSink configured(String url) throws Exception {
        ConfiguredSink c = Sinks.configure(url);
        c.sink().close();
        return c;
    }

    @Test
    void everyKindTakesACooldownInItsUrlAndNeverSeesIt() throws Exception {
        String[] urls = {"file:" + dir.resolve("e.jsonl"), dir.resolve("f.jsonl").toString(),
            "webhook:https://127.0.0.1:9/x", "http://127.0.0.1:9/hook?token=abc",
            "syslog+udp://127.0.0.1:514?facility=local0", "syslog+tcp://127.0.0.1:601",
            "smtp://127.0.0.1:2525?to=me@example.org&from=cam@example.org",
            "mqtt://127.0.0.1:1883", "jdbc:sqlite:" + dir.resolve("events.db"),
            "jdbc:postgresql://127.0.0.1:5432/cams?user=streamtee"};
        for (String url : urls) {
            String with = url + (url.contains("?") ? "&" : "?") + "cooldown=90s";
            ConfiguredSink c = configured(with);
            assertThat(c.cooldown()).as(with).isEqualTo(Duration.ofSeconds(90));
            assertThat(c.sink().name()).as(with).isEqualTo(configured(url).sink().name()).doesNotContain("cooldown");
        }
        // in the middle of the query, any case
        WebhookSink hook = (WebhookSink) configured("https://127.0.0.1:9/h?a=1&Cooldown=5m&b=2").sink();
        assertThat(hook.name()).isEqualTo("webhook:https://127.0.0.1:9/h");
        assertThat(Sinks.configure("https://127.0.0.1:9/h?a=1&Cooldown=5m&b=2").cooldown())
                .isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void emailHasAFiveMinuteCooldownByDefaultTheRecordAndMachinesNone() throws Exception {
        assertThat(configured("smtp://127.0.0.1:2525?to=me@example.org&from=cam@example.org").cooldown())
                .isEqualTo(Sinks.EMAIL_COOLDOWN).isEqualTo(Duration.ofMinutes(5));
        assertThat(configured("smtp://127.0.0.1:2525?to=me@example.org&from=cam@example.org&cooldown=0").cooldown())
                .isZero();
        for (String url : new String[] {"file:" + dir.resolve("e.jsonl"), "jdbc:sqlite:" + dir.resolve("e.db"),
            "syslog://127.0.0.1:514", "https://127.0.0.1:9/h", "mqtt://127.0.0.1:1883"}) {
            assertThat(configured(url).cooldown()).as(url).isZero();
        }
        assertThat(Sinks.configure("mqtt://127.0.0.1:1883", Duration.ofSeconds(30)).cooldown())
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(Sinks.configure("smtp://127.0.0.1:2525?to=me@example.org&from=cam@example.org", Duration.ZERO)
                .cooldown()).isZero();
        assertThat(Sinks.configure("mqtt://127.0.0.1:1883?cooldown=1m").toString())
                .isEqualTo("mqtt://127.0.0.1:1883 (cooldown 1m)");
    }

    @Test
    void aBadCooldownIsOneLine() {
        assertThatThrownBy(() -> Sinks.configure("mqtt://127.0.0.1:1883?cooldown=soon"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("?cooldown=: 'soon' is not a duration (examples: 500ms, 10s, 5m, 2h, 7d)");
        assertThatThrownBy(() -> Sinks.configure("mqtt://127.0.0.1:1883?cooldown=1m&cooldown=2m"))
                .isInstanceOf(ConfigException.class).hasMessage("?cooldown= is given twice");
        assertThatThrownBy(() -> Sinks.configure("mqtt://127.0.0.1:1883?cooldown=1m", Duration.ofMinutes(2)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("given twice").hasMessageNotContaining("\n");
        assertThatThrownBy(() -> Sinks.configure("smtp://127.0.0.1:2525?cooldown=1m"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("sink 'smtp://127.0.0.1:2525'")
                .hasMessageNotContaining("cooldown");
    }
}
