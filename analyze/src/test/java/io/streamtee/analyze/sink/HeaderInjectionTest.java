package io.streamtee.analyze.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.sink.mail.SmtpSink;
import io.streamtee.analyze.sink.syslog.SyslogSink;
import io.streamtee.testing.Closeables;
import io.streamtee.testing.Figures;
import io.streamtee.testing.TcpReceiver;
import jakarta.mail.Header;
import jakarta.mail.internet.MimeMessage;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Header injection through camera names, titles and zones, the sink path (issue 16): the config refuses such camera
 * names ({@code CameraNameInjectionTest}), and the sinks escape what reaches them anyway (a title, a zone, a camera
 * name from another source): a mail keeps its one Subject and its recipients, syslog sends one record per event with
 * no control character in it.
 */
class HeaderInjectionTest {
    private static final List<String> HOSTILE = List.of("front\r\nBcc: victim@example.org\r\nSubject: forged",
            "back\n<34>1 2026-01-01T00:00:00Z forged streamtee - - - injected", "nul\u0000<13>1 forged",
            "long-" + "x".repeat(10_000) + "\r\nX-Forged: 1");

    @RegisterExtension
    final Closeables closeables = new Closeables();

    private static Event event(int n, String text) {
        return new Event("ev-" + n, text, Event.Kind.MOTION, Event.Phase.START, "motion in " + text,
                List.of(text, "porch"), 1_790_000_000_000L + n, -1, 0, -1, 0.3, List.of(), null, Map.of());
    }

    @Test
    void aMailKeepsItsOneSubjectAndItsRecipients() throws Exception {
        GreenMail server = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        server.withConfiguration(GreenMailConfiguration.aConfig());
        server.start();
        closeables.use(server::stop);
        SmtpSink sink = closeables.use(SmtpSink.parse("smtp://127.0.0.1:" + server.getSmtp().getPort()
                + "?to=me@example.org&from=cam@example.org"));
        for (int i = 0; i < HOSTILE.size(); i++) {
            sink.deliver(event(i, HOSTILE.get(i)));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> server.getReceivedMessages().length >= HOSTILE.size());
        MimeMessage[] got = server.getReceivedMessages();
        assertThat(got).hasSize(HOSTILE.size());
        for (MimeMessage m : got) {
            assertThat(m.getAllRecipients()).extracting(Object::toString).containsExactly("me@example.org");
            assertThat(m.getHeader("Bcc")).isNull();
            assertThat(m.getHeader("X-Forged")).isNull();
            assertThat(m.getHeader("Subject")).hasSize(1);
            assertThat(m.getSubject()).startsWith("[streamtee] ").doesNotContain("\r").doesNotContain("\n")
                    .doesNotContain("\u0000");
            for (Header h : Collections.list(m.getAllHeaders())) {
                assertThat(h.getName()).as("header names").isIn("Return-Path", "Received", "Date", "From", "To",
                        "Message-ID", "Subject", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
                        "In-Reply-To", "References", "X-Mailer", "Auto-Submitted", "X-Streamtee-Event");
            }
        }
        Figures.of("hostile.header-injection.mail").put("events", HOSTILE.size()).put("mails", got.length)
                .put("extra_recipients", 0).record(getClass(), "aMailKeepsItsOneSubjectAndItsRecipients");
    }

    @Test
    void syslogSendsOneRecordPerEventWithNoControlCharacter() throws Exception {
        DatagramSocket udp = closeables.use(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                0)));
        udp.setSoTimeout(5000);
        SyslogSink overUdp = closeables.use(SyslogSink.parse("syslog+udp://127.0.0.1:" + udp.getLocalPort()));
        TcpReceiver tcp = closeables.use(TcpReceiver.open(0, true));
        SyslogSink overTcp = closeables.use(SyslogSink.parse("syslog+tcp://127.0.0.1:" + tcp.port()));
        for (int i = 0; i < HOSTILE.size(); i++) {
            overUdp.deliver(event(i, HOSTILE.get(i)));
            overTcp.deliver(event(i, HOSTILE.get(i)));
        }
        List<byte[]> records = new ArrayList<>();
        for (int i = 0; i < HOSTILE.size(); i++) {
            DatagramPacket p = new DatagramPacket(new byte[65_536], 65_536);
            udp.receive(p);
            records.add(java.util.Arrays.copyOf(p.getData(), p.getLength()));
        }
        udp.setSoTimeout(300);
        boolean extra;
        try {
            udp.receive(new DatagramPacket(new byte[65_536], 65_536));
            extra = true;
        } catch (SocketTimeoutException none) {
            extra = false;
        }
        assertThat(extra).as("one datagram per event, no forged second one").isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> frames(tcp.bytes()).size() == HOSTILE.size());
        records.addAll(frames(tcp.bytes()));
        for (byte[] r : records) {
            String text = new String(r, StandardCharsets.UTF_8);
            assertThat(text).startsWith("<").contains(" streamtee ");
            for (int i = 0; i < r.length; i++) {
                assertThat(r[i] & 0xff).as("byte %d of %s", i, text.substring(0, Math.min(80, text.length())))
                        .isGreaterThanOrEqualTo(0x20).isNotEqualTo(0x7f);
            }
        }
        Figures.of("hostile.header-injection.syslog").put("events", HOSTILE.size() * 2).put("records", records.size())
                .record(getClass(), "syslogSendsOneRecordPerEventWithNoControlCharacter");
    }

    /** Octet-counted frames ({@code LEN SP MSG}) in a TCP stream; a frame cut short is left out. */
    private static List<byte[]> frames(byte[] stream) {
        List<byte[]> out = new ArrayList<>();
        int at = 0;
        while (at < stream.length) {
            int sp = at;
            while (sp < stream.length && stream[sp] != ' ') {
                sp++;
            }
            if (sp >= stream.length) {
                break;
            }
            int len = Integer.parseInt(new String(stream, at, sp - at, StandardCharsets.US_ASCII));
            if (sp + 1 + len > stream.length) {
                break;
            }
            out.add(java.util.Arrays.copyOfRange(stream, sp + 1, sp + 1 + len));
            at = sp + 1 + len;
        }
        return out;
    }
}
