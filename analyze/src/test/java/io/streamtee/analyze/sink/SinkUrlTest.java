package io.streamtee.analyze.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.analyze.sink.mail.SmtpSettings;
import io.streamtee.config.UrlVariables;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** {@code ${NAME}} in sink URLs as the sinks read them, and taking a parameter out of a query. */
class SinkUrlTest {
    private static final UnaryOperator<String> ENV = Map.of("SMTP_PASSWORD", "p@ss:w/rd+ %&=",
            "MAIL_HOST", "mail.lan", "HOOK_SECRET", "s&cr=t", "EMPTY", "")::get;

    @Test
    void aPasswordFromTheEnvironmentIsPercentEncodedInTheUserInfoAndSurvivesTheSinksParser() {
        String url = UrlVariables.expand("smtp://cam:${SMTP_PASSWORD}@${MAIL_HOST}:587?to=me@example.org&from=c@example.org",
                ENV);
        assertThat(url).startsWith("smtp://cam:p%40ss%3Aw%2Frd%2B%20%25%26%3D@mail.lan:587?");
        SmtpSettings s = SmtpSettings.parse(url, name -> null);
        assertThat(s.password()).isEqualTo("p@ss:w/rd+ %&=");
        assertThat(s.host()).isEqualTo("mail.lan");
        assertThat(s.toString()).doesNotContain("p@ss").doesNotContain("p%40ss");
    }

    @Test
    void aQueryValueFromTheEnvironmentIsPercentEncoded() {
        String url = UrlVariables.expand("https://127.0.0.1:9/h?secret=${HOOK_SECRET}&x=1", ENV);
        assertThat(url).isEqualTo("https://127.0.0.1:9/h?secret=s%26cr%3Dt&x=1");
        assertThat(SinkUrl.params(url.substring(url.indexOf('?') + 1)).get(0).value()).isEqualTo("s&cr=t");
    }

    @Test
    void takeRemovesOneParameterAndKeepsTheRestAsWritten() {
        assertThat(SinkUrl.take("mqtt://h:1?cooldown=5m", "cooldown"))
                .isEqualTo(new SinkUrl.Taken("mqtt://h:1", "5m"));
        assertThat(SinkUrl.take("https://h/x?a=%41&cooldown=1m&b", "cooldown"))
                .isEqualTo(new SinkUrl.Taken("https://h/x?a=%41&b", "1m"));
        assertThat(SinkUrl.take("https://h/x?a=1", "cooldown")).isEqualTo(new SinkUrl.Taken("https://h/x?a=1", null));
        assertThat(SinkUrl.take("file:e.jsonl", "cooldown")).isEqualTo(new SinkUrl.Taken("file:e.jsonl", null));
    }
}
