package io.streamtee.analyze.sink.mail;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.analyze.event.Event;
import io.streamtee.config.ConfigException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class SmtpSettingsTest {
    private static final UnaryOperator<String> NO_ENV = name -> null;

    private static SmtpSettings parse(String url) {
        return SmtpSettings.parse(url, NO_ENV);
    }

    private static String error(String url) {
        return error(url, NO_ENV);
    }

    private static String error(String url, UnaryOperator<String> env) {
        try {
            SmtpSettings.parse(url, env);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).as("one line").doesNotContain("\n");
            return e.getMessage();
        }
        throw new AssertionError("no error for " + url);
    }

    @Test
    void theFullUrl() {
        SmtpSettings s = parse("smtp://bob:s%40cret@mail.lan:2525?to=me@example.org,you@example.org"
                + "&from=cam@example.org&starttls=required&phases=start,update,end&timeout=5s&zone=Europe/Berlin");
        assertThat(s.host()).isEqualTo("mail.lan");
        assertThat(s.port()).isEqualTo(2525);
        assertThat(s.user()).isEqualTo("bob");
        assertThat(s.password()).isEqualTo("s@cret");
        assertThat(s.to()).extracting(a -> a.getAddress()).containsExactly("me@example.org", "you@example.org");
        assertThat(s.from().getAddress()).isEqualTo("cam@example.org");
        assertThat(s.security()).isEqualTo(SmtpSettings.Security.STARTTLS_REQUIRED);
        assertThat(s.phases()).containsExactlyInAnyOrder(Event.Phase.values());
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(s.trustAll()).isFalse();
        assertThat(s.server()).isEqualTo("mail.lan:2525");
    }

    @Test
    void defaultsPortBySecurityAndMailsStartAndEnd() {
        SmtpSettings plain = parse("smtp://mail.lan?to=me@example.org&from=cam@example.org");
        assertThat(plain.port()).isEqualTo(25);
        assertThat(plain.security()).isEqualTo(SmtpSettings.Security.NONE);
        assertThat(plain.user()).isNull();
        assertThat(plain.password()).isNull();
        assertThat(plain.phases()).containsExactlyInAnyOrder(Event.Phase.START, Event.Phase.END);
        assertThat(plain.timeout()).isEqualTo(SmtpSettings.DEFAULT_TIMEOUT);
        assertThat(parse("smtp://mail.lan?to=me@example.org&from=cam@example.org&starttls=true").port())
                .isEqualTo(587);
        SmtpSettings ssl = parse("smtp://mail.lan?to=me@example.org&from=cam@example.org&ssl=true");
        assertThat(ssl.port()).isEqualTo(465);
        assertThat(ssl.security()).isEqualTo(SmtpSettings.Security.SSL);
        assertThat(parse("smtp://[::1]:2525?to=me@example.org&from=cam@example.org").server())
                .isEqualTo("[::1]:2525");
    }

    @Test
    void thePasswordMayComeFromTheEnvironment() {
        Map<String, String> env = Map.of(SmtpSettings.PASSWORD_ENV, "from-env");
        SmtpSettings s = SmtpSettings.parse("smtp://bob@mail.lan?to=me@example.org&from=cam@example.org", env::get);
        assertThat(s.user()).isEqualTo("bob");
        assertThat(s.password()).isEqualTo("from-env");
        SmtpSettings inUrl = SmtpSettings.parse("smtp://bob:in-url@mail.lan?to=me@example.org&from=cam@example.org",
                env::get);
        assertThat(inUrl.password()).as("the URL wins").isEqualTo("in-url");
        assertThat(error("smtp://bob@mail.lan?to=me@example.org&from=cam@example.org"))
                .isEqualTo("sink 'smtp://bob@mail.lan?to=me@example.org&from=cam@example.org': user 'bob' has no "
                        + "password: put it in the URL (smtp://user:password@host) or in the environment as "
                        + "STREAMTEE_SMTP_PASSWORD");
    }

    @Test
    void thePasswordIsNeverShown() {
        SmtpSettings s = parse("smtp://bob:hunter2@mail.lan:587?to=me@example.org&from=cam@example.org&starttls=true");
        assertThat(s.name()).isEqualTo("smtp://bob@mail.lan:587?to=me@example.org");
        assertThat(s.toString()).doesNotContain("hunter2").contains("smtp://bob@mail.lan:587");
        assertThat(error("smtp://bob:hunter2@mail.lan?from=cam@example.org"))
                .isEqualTo("sink 'smtp://bob:***@mail.lan?from=cam@example.org': ?to= is required (one or more "
                        + "addresses, comma-separated)");
        assertThat(error("smtp://bob:hun@ter2@mail.lan?to=me@example.org&from=cam@example.org"))
                .doesNotContain("hun").doesNotContain("ter2").startsWith("sink 'smtp://bob:***@mail.lan?");
        assertThat(error("smtp://bob:hunter2@mail.lan?to=me@example.org&from=cam@example.org&bogus=1"))
                .doesNotContain("hunter2").contains("unknown option ?bogus=");
    }

    @Test
    void errorsNameTheSinkAndTheKey() {
        assertThat(error("smtp://mail.lan")).isEqualTo("sink 'smtp://mail.lan': ?to= is required (one or more "
                + "addresses, comma-separated)");
        assertThat(error("smtp://mail.lan?to=me@example.org")).contains("?from= is required");
        assertThat(error("smtp://mail.lan?to=not%20an%20address&from=cam@example.org"))
                .startsWith("sink 'smtp://mail.lan?to=not%20an%20address&from=cam@example.org': ?to= 'not an "
                        + "address' is not a mail address");
        assertThat(error(" ")).startsWith("sink '': empty");
        assertThat(error("mailto:me@example.org")).contains("the scheme must be smtp://");
        assertThat(error("smtp://?to=me@example.org&from=cam@example.org")).contains("no host");
        assertThat(error("smtp://mail.lan?to=me@example.org&from=cam@example.org&starttls=maybe"))
                .contains("?starttls= must be true, required or false, not 'maybe'");
        assertThat(error("smtp://mail.lan?to=me@example.org&from=cam@example.org&starttls=true&ssl=true"))
                .contains("?ssl=true and ?starttls= exclude each other");
        assertThat(error("smtp://mail.lan?to=me@example.org&from=cam@example.org&ssl=yes"))
                .contains("?ssl= must be true or false, not 'yes'");
        assertThat(error("smtp://mail.lan?to=me@example.org&from=cam@example.org&phases=start,stop"))
                .contains("?phases= 'stop' is not a phase (start, update, end)");
        assertThat(error("smtp://mail.lan?to=me@example.org&from=cam@example.org&timeout=soon"))
                .contains("?timeout=").contains("'soon' is not a duration");
        assertThat(error("smtp://mail.lan?to=me@example.org&from=cam@example.org&timeout=0s"))
                .contains("?timeout= must be between");
        assertThat(error("smtp://mail.lan?to=me@example.org&from=cam@example.org&zone=Mars/Olympus"))
                .contains("?zone= 'Mars/Olympus' is not a time zone");
        assertThat(error("smtp://mail.lan?to=me@example.org&from=cam@example.org&trust=some"))
                .contains("?trust= can only be 'all'");
        assertThat(error("smtp://mail.lan?to=me@example.org&to=you@example.org&from=cam@example.org"))
                .contains("?to= is given twice");
        assertThat(error("smtp://mail.lan/inbox?to=me@example.org&from=cam@example.org"))
                .contains("unexpected path '/inbox'");
    }

    @Test
    void percentDecodingKeepsPlusAndReadsUtf8() {
        assertThat(SmtpSettings.percentDecode("a+b%2Bc%C3%A9%")).isEqualTo("a+b+cé%");
    }

    @Test
    void redactHidesOnlyThePassword() {
        assertThat(SmtpSettings.redact("smtp://bob:pw@h:25?to=a@b.c")).isEqualTo("smtp://bob:***@h:25?to=a@b.c");
        assertThat(SmtpSettings.redact("smtp://bob@h:25?to=a@b.c")).isEqualTo("smtp://bob@h:25?to=a@b.c");
        assertThat(SmtpSettings.redact("smtp://h:25?to=a@b.c")).isEqualTo("smtp://h:25?to=a@b.c");
    }
}
