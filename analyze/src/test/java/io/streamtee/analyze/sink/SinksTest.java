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
}
