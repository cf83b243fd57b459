package io.streamtee.analyze.sink.mail;

import static io.streamtee.analyze.sink.mail.MailTextTest.START;
import static io.streamtee.analyze.sink.mail.MailTextTest.motion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.event.EventSink;
import io.streamtee.analyze.event.SinkQueue;
import io.streamtee.net.Backoff;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The mail sink against a real SMTP server (GreenMail) on loopback. */
class SmtpSinkTest {
    private static final Backoff FAST = new Backoff(Duration.ofMillis(50), Duration.ofMillis(200));
    private static final String OPTIONS = "to=me@example.org,you@example.org&from=cam@example.org&zone=Europe/Berlin";
    /** A JPEG-looking byte array with every byte value, so any 7-bit or charset mangling shows. */
    private static final byte[] JPEG = jpeg();

    private final List<AutoCloseable> closeLater = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeLater.size() - 1; i >= 0; i--) {
            closeLater.get(i).close();
        }
    }

    private static byte[] jpeg() {
        byte[] b = new byte[4096];
        b[0] = (byte) 0xFF;
        b[1] = (byte) 0xD8;
        for (int i = 2; i < b.length - 2; i++) {
            b[i] = (byte) (i * 31);
        }
        b[b.length - 2] = (byte) 0xFF;
        b[b.length - 1] = (byte) 0xD9;
        return b;
    }

    private GreenMail greenMail(ServerSetup setup, GreenMailConfiguration config) {
        GreenMail server = new GreenMail(setup);
        server.withConfiguration(config);
        server.start();
        closeLater.add(server::stop);
        return server;
    }

    private GreenMail smtpServer(int port, GreenMailConfiguration config) {
        return greenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP), config);
    }

    private <T extends AutoCloseable> T closing(T t) {
        closeLater.add(t);
        return t;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Event event(int n, Event.Phase phase) {
        Event e = motion(phase, phase == Event.Phase.END ? START + 42_000 : -1, Map.of());
        return new Event("frontdoor-" + n, e.camera(), e.kind(), phase, e.title(), e.zones(), e.startMillis(),
                e.endMillis(), e.startPts(), e.endPts(), e.peakScore(), e.boxes(), e.snapshot(), e.details());
    }

    private static String text(Part part) throws Exception {
        Object content = part.getContent();
        if (content instanceof String s) {
            return s.replace("\r\n", "\n"); // SMTP sends lines with CRLF
        }
        Multipart multi = (Multipart) content;
        for (int i = 0; i < multi.getCount(); i++) {
            if (multi.getBodyPart(i).isMimeType("text/plain")) {
                return text(multi.getBodyPart(i));
            }
        }
        throw new AssertionError("no text/plain part");
    }

    private static List<MimeMessage> inbox(GreenMail server, String address) {
        return server.findReceivedMessages(user -> user.getEmail().equals(address), m -> true).toList();
    }

    private static BodyPart attachment(MimeMessage message) throws Exception {
        Multipart multi = (Multipart) message.getContent();
        assertThat(multi.getCount()).isEqualTo(2);
        return multi.getBodyPart(1);
    }

    @Test
    void mailsStartAndEndWithSubjectBodyAndTheSnapshotButNotUpdates() throws Exception {
        GreenMail server = smtpServer(0, GreenMailConfiguration.aConfig());
        int port = server.getSmtp().getPort();
        Function<Event, byte[]> snapshots = e -> e.phase() == Event.Phase.START ? JPEG : null;
        SmtpSink sink = closing(SmtpSink.parse("smtp://127.0.0.1:" + port + "?" + OPTIONS, snapshots));
        assertThat(sink.name()).isEqualTo("smtp://127.0.0.1:" + port + "?to=me@example.org,you@example.org");

        sink.deliver(event(3, Event.Phase.START));
        sink.deliver(event(3, Event.Phase.UPDATE));
        sink.deliver(event(3, Event.Phase.END));

        await().atMost(Duration.ofSeconds(10)).until(() -> server.getReceivedMessages().length >= 4);
        List<MimeMessage> got = inbox(server, "me@example.org");
        assertThat(got).as("start and end, not the update").hasSize(2);
        assertThat(inbox(server, "you@example.org")).hasSize(2);
        MimeMessage start = got.get(0);
        MimeMessage end = got.get(1);

        assertThat(start.getSubject()).isEqualTo("[streamtee] frontdoor: motion in porch (12:00:10)");
        assertThat(start.getFrom()[0].toString()).isEqualTo("cam@example.org");
        assertThat(start.getAllRecipients()).extracting(Object::toString)
                .containsExactly("me@example.org", "you@example.org");
        assertThat(start.isMimeType("multipart/mixed")).isTrue();
        String startText = text(start);
        assertThat(startText).startsWith("motion in porch\n").contains("Camera:     frontdoor\n")
                .contains("Started:    Mon 2026-11-30 12:00:10 CET (+01:00)\n")
                .contains("Zones:      porch, drive\n").contains("Peak:       37.4 % of the picture changed\n")
                .contains("Snapshot:   attached (snapshot.jpg)\n").contains("Event:      frontdoor-3 (start)\n");
        BodyPart picture = attachment(start);
        assertThat(picture.getFileName()).isEqualTo("snapshot.jpg");
        assertThat(picture.isMimeType("image/jpeg")).isTrue();
        assertThat(picture.getDisposition()).isEqualTo(Part.ATTACHMENT);
        try (InputStream in = picture.getInputStream()) {
            assertThat(in.readAllBytes()).as("byte-identical").isEqualTo(JPEG);
        }

        assertThat(end.getSubject()).isEqualTo("[streamtee] frontdoor: motion in porch (12:00:10, ended after 42s)");
        assertThat(end.isMimeType("text/plain")).as("no snapshot, no attachment").isTrue();
        assertThat(end.getContentType()).containsIgnoringCase("charset=UTF-8");
        assertThat(text(end)).contains("Duration:   42s\n").contains("Event:      frontdoor-3 (end)\n")
                .doesNotContain("Snapshot:");
        assertThat(end.getHeader("In-Reply-To")).as("the end answers the start, one thread")
                .containsExactly(start.getMessageID());
        assertThat(start.getMessageID()).isEqualTo("<streamtee.frontdoor-3.start@example.org>");
    }

    @Test
    void utf8SurvivesInSubjectAndBody() throws Exception {
        GreenMail server = smtpServer(0, GreenMailConfiguration.aConfig());
        SmtpSink sink = closing(SmtpSink.parse("smtp://127.0.0.1:" + server.getSmtp().getPort() + "?" + OPTIONS));
        Event e = event(5, Event.Phase.START);
        sink.deliver(new Event(e.id(), "Haustür", e.kind(), e.phase(), "Bewegung im Vorgarten ☂", List.of("Einfahrt"),
                e.startMillis(), -1, -1, -1, 0.5, List.of(), null, Map.of()));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.getReceivedMessages().length == 2);
        MimeMessage m = server.getReceivedMessages()[0];
        assertThat(m.getSubject()).isEqualTo("[streamtee] Haustür: Bewegung im Vorgarten ☂ (12:00:10)");
        assertThat(text(m)).startsWith("Bewegung im Vorgarten ☂\n").contains("Zones:      Einfahrt\n");
    }

    @Test
    void authenticatesWithUserAndPassword() throws Exception {
        GreenMail server = smtpServer(0, GreenMailConfiguration.aConfig().withUser("bob@example.org", "bob", "s3cr3t"));
        SmtpSink sink = closing(SmtpSink.parse("smtp://bob:s3cr3t@127.0.0.1:" + server.getSmtp().getPort() + "?"
                + OPTIONS, e -> JPEG));
        assertThat(sink.name()).doesNotContain("s3cr3t").startsWith("smtp://bob@127.0.0.1:");
        sink.deliver(event(1, Event.Phase.START));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.getReceivedMessages().length == 2);
        try (InputStream in = attachment(server.getReceivedMessages()[0]).getInputStream()) {
            assertThat(in.readAllBytes()).isEqualTo(JPEG);
        }
    }

    @Test
    void aWrongPasswordIsOneLineNamingTheServerWithoutThePassword() {
        GreenMail server = smtpServer(0, GreenMailConfiguration.aConfig().withUser("bob@example.org", "bob", "s3cr3t"));
        int port = server.getSmtp().getPort();
        SmtpSink sink = closing(SmtpSink.parse("smtp://bob:wrong-pw@127.0.0.1:" + port + "?" + OPTIONS));
        assertThatThrownBy(() -> sink.deliver(event(1, Event.Phase.START)))
                .isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(e.getMessage())
                        .startsWith("smtp 127.0.0.1:" + port + ": authentication failed for user 'bob'")
                        .doesNotContain("wrong-pw").doesNotContain("\n"));
        assertThat(server.getReceivedMessages()).isEmpty();
    }

    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang fails, not blocks the build
    void aServerDownAtStartGetsTheMailOnceItIsUp() throws Exception {
        int port = freePort();
        SmtpSink sink = SmtpSink.parse("smtp://127.0.0.1:" + port + "?" + OPTIONS);
        assertThatThrownBy(() -> sink.deliver(event(1, Event.Phase.START)))
                .hasMessage("smtp 127.0.0.1:" + port + ": connection refused");

        SinkQueue queue = closing(new SinkQueue(sink, 10, 1000, FAST, Duration.ofSeconds(10)).start());
        queue.offer(event(2, Event.Phase.START));
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.retried() >= 2);
        assertThat(queue.delivered()).isZero();

        GreenMail server = smtpServer(port, GreenMailConfiguration.aConfig());
        await().atMost(Duration.ofSeconds(15)).until(() -> queue.delivered() == 1);
        assertThat(inbox(server, "me@example.org")).singleElement()
                .satisfies(m -> assertThat(m.getSubject()).isEqualTo(
                        "[streamtee] frontdoor: motion in porch (12:00:10)"));
        assertThat(queue.failed()).isZero();
    }

    /** Accepts connections and never says a word (nor reads one). */
    private static final class SilentServer implements AutoCloseable {
        final ServerSocket socket;
        final List<Socket> accepted = new CopyOnWriteArrayList<>();
        final Thread thread;

        SilentServer() throws IOException {
            socket = new ServerSocket();
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            thread = Thread.ofPlatform().daemon().name("silent smtp").start(() -> {
                try {
                    while (true) {
                        accepted.add(socket.accept());
                    }
                } catch (IOException e) {
                    // closed
                }
            });
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            for (Socket s : accepted) {
                s.close();
            }
            thread.join(Duration.ofSeconds(5));
        }
    }

    /** Records the ids it was given. */
    private static final class Recording implements EventSink {
        final List<String> ids = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public void deliver(Event event) {
            ids.add(event.id());
        }
    }

    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang fails, not blocks the build
    void aServerThatNeverAnswersFailsTheDeliveryAfterTheTimeoutAndHoldsUpNoOtherSink() throws Exception {
        SilentServer silent = closing(new SilentServer());
        SmtpSink sink = SmtpSink.parse("smtp://127.0.0.1:" + silent.port() + "?" + OPTIONS + "&timeout=500ms");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> sink.deliver(event(0, Event.Phase.START)))
                .hasMessage("smtp 127.0.0.1:" + silent.port() + ": no answer within 0.5s (?timeout=)");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(400), Duration.ofSeconds(5));

        Recording recording = new Recording();
        SinkQueue hung = new SinkQueue(sink, 100, 2, FAST, Duration.ofSeconds(10)).start();
        closeLater.add(() -> hung.close(Duration.ofMillis(200)));
        SinkQueue ok = closing(new SinkQueue(recording, 100, 2, FAST, Duration.ofSeconds(10)).start());
        for (int n = 1; n <= 20; n++) {
            assertThat(hung.offer(event(n, Event.Phase.START))).isTrue();
            assertThat(ok.offer(event(n, Event.Phase.START))).isTrue();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> recording.ids.size() == 20);
        assertThat(recording.ids).first().isEqualTo("frontdoor-1");
        assertThat(recording.ids).last().isEqualTo("frontdoor-20");
        await().atMost(Duration.ofSeconds(15)).until(() -> hung.failed() >= 1);
        assertThat(hung.delivered()).isZero();
        assertThat(hung.retried()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void sendsOverSslToASelfSignedServerWhenTrustIsAll() throws Exception {
        GreenMail server = greenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS),
                GreenMailConfiguration.aConfig().withUser("bob@example.org", "bob", "s3cr3t"));
        int port = server.getSmtps().getPort();
        SmtpSink sink = closing(SmtpSink.parse("smtp://bob:s3cr3t@127.0.0.1:" + port + "?" + OPTIONS
                + "&ssl=true&trust=all", e -> JPEG));
        sink.deliver(event(7, Event.Phase.START));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.getReceivedMessages().length == 2);
        try (InputStream in = attachment(server.getReceivedMessages()[0]).getInputStream()) {
            assertThat(in.readAllBytes()).isEqualTo(JPEG);
        }
    }

    @Test
    void sslRefusesASelfSignedCertificateUnlessTrusted() {
        GreenMail server = greenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS),
                GreenMailConfiguration.aConfig());
        int port = server.getSmtps().getPort();
        SmtpSink sink = closing(SmtpSink.parse("smtp://127.0.0.1:" + port + "?" + OPTIONS + "&ssl=true&timeout=5s"));
        assertThatThrownBy(() -> sink.deliver(event(8, Event.Phase.START)))
                .isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith("smtp 127.0.0.1:" + port + ": TLS failed: ")
                        .doesNotContain("\n"));
        assertThat(server.getReceivedMessages()).isEmpty();
    }

    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anUntrustedSslCertificateIsCountedAsAFailedDeliveryAndTheQueueGoesOn() throws Exception {
        GreenMail server = greenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS),
                GreenMailConfiguration.aConfig());
        SmtpSink sink = SmtpSink.parse("smtp://127.0.0.1:" + server.getSmtps().getPort() + "?" + OPTIONS
                + "&ssl=true&timeout=5s", e -> JPEG);
        assertThatThrownBy(() -> sink.deliver(event(11, Event.Phase.START)))
                .isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith("smtp 127.0.0.1:" + server.getSmtps().getPort()
                                + ": TLS failed: the server's certificate is not trusted (")
                        .endsWith("); ?trust=all accepts any certificate (for a self-signed test server only)")
                        .doesNotContain("\n"));

        SinkQueue queue = closing(new SinkQueue(sink, 10, 2, FAST, Duration.ofSeconds(10)).start());
        assertThat(queue.offer(event(12, Event.Phase.START))).isTrue();
        // GreenMail's connection thread throws when the client hangs up in the handshake: not the sink's failure
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(10)).until(() -> queue.failed() == 1);
        assertThat(queue.retried()).as("tried twice").isEqualTo(1);

        assertThat(queue.offer(event(13, Event.Phase.START))).as("the queue still takes events").isTrue();
        await().dontCatchUncaughtExceptions().atMost(Duration.ofSeconds(10)).until(() -> queue.failed() == 2);
        assertThat(queue.delivered()).isZero();
        assertThat(server.getReceivedMessages()).isEmpty();
    }

    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang fails, not blocks the build
    void anSslServerThatNeverAnswersTheHandshakeFailsAfterTheTimeout() throws Exception {
        SilentServer silent = closing(new SilentServer());
        SmtpSink sink = SmtpSink.parse("smtp://127.0.0.1:" + silent.port() + "?" + OPTIONS
                + "&ssl=true&trust=all&timeout=500ms");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> sink.deliver(event(14, Event.Phase.START)))
                .hasMessage("smtp 127.0.0.1:" + silent.port() + ": no answer within 0.5s (?timeout=)");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(400), Duration.ofSeconds(5));
    }

    @Test
    void starttlsRequiredRefusesToSendInPlainTextWhileStarttlsTrueFallsBack() throws Exception {
        // GreenMail's SMTP does not offer STARTTLS: "required" must not send, "true" sends in plain text
        GreenMail server = smtpServer(0, GreenMailConfiguration.aConfig());
        int port = server.getSmtp().getPort();
        SmtpSink required = closing(SmtpSink.parse("smtp://127.0.0.1:" + port + "?" + OPTIONS + "&starttls=required"));
        assertThatThrownBy(() -> required.deliver(event(10, Event.Phase.START)))
                .isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith("smtp 127.0.0.1:" + port + ": ")
                        .containsIgnoringCase("STARTTLS").doesNotContain("\n"));
        assertThat(server.getReceivedMessages()).isEmpty();

        SmtpSink optional = closing(SmtpSink.parse("smtp://127.0.0.1:" + port + "?" + OPTIONS + "&starttls=true"));
        optional.deliver(event(11, Event.Phase.START));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.getReceivedMessages().length == 2);
    }

    @Test
    void aSnapshotSupplierThatFailsStillSendsTheMail() throws Exception {
        GreenMail server = smtpServer(0, GreenMailConfiguration.aConfig());
        SmtpSink sink = closing(SmtpSink.parse("smtp://127.0.0.1:" + server.getSmtp().getPort() + "?" + OPTIONS,
                e -> {
                    throw new IllegalStateException("no frame yet");
                }));
        sink.deliver(event(9, Event.Phase.START));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.getReceivedMessages().length == 2);
        MimeMessage m = server.getReceivedMessages()[0];
        assertThat(m.isMimeType("text/plain")).isTrue();
        assertThat(text(m)).doesNotContain("Snapshot:");
    }
}
