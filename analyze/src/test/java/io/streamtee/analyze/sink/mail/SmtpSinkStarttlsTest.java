package io.streamtee.analyze.sink.mail;

import static io.streamtee.analyze.sink.mail.MailTextTest.START;
import static io.streamtee.analyze.sink.mail.MailTextTest.motion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streamtee.analyze.event.Event;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.subethamail.smtp.AuthenticationHandler;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * The mail sink's STARTTLS against a real SMTP server that offers it (SubEthaSMTP; GreenMail does not) on loopback,
 * with a self-signed certificate made for the test. The server reports, per mail, whether its session had been
 * upgraded to TLS, so the tests see the upgrade instead of trusting the client's settings.
 */
class SmtpSinkStarttlsTest {
    private static final String OPTIONS = "to=me@example.org&from=cam@example.org&zone=Europe/Berlin";
    private static final String PASSWORD = "s3cr3t";
    private static final byte[] JPEG = jpeg();

    @TempDir
    static Path dir;
    private static SSLContext tls;

    private final List<AutoCloseable> closeLater = new ArrayList<>();

    /** One mail as the server got it, and how its session was protected. */
    record Received(String from, String to, byte[] data, String tlsProtocol, String user) {
        boolean overTls() {
            return tlsProtocol != null;
        }

        MimeMessage message() throws Exception {
            return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(data));
        }
    }

    /** What the server offers: STARTTLS or not, TLS required, AUTH required. */
    record Offer(boolean starttls, boolean requireTls, boolean requireAuth) {
    }

    /** A SubEthaSMTP server on 127.0.0.1, port 0, recording what arrives. */
    private final class Server {
        final List<Received> received = new CopyOnWriteArrayList<>();
        final SMTPServer smtp;

        Server(Offer offer) {
            SMTPServer.Builder b = SMTPServer.port(0).bindAddress(InetAddress.getLoopbackAddress())
                    .hostName("127.0.0.1").connectionTimeout(10, TimeUnit.SECONDS)
                    .enableTLS(offer.starttls()).requireTLS(offer.requireTls()).startTlsSocketFactory(tls)
                    .messageHandler((context, from, to, data) -> received.add(new Received(from, to, data,
                            tlsProtocol(context), user(context))));
            if (offer.requireAuth()) {
                b.requireAuth().authenticationHandlerFactory(new EasyAuthenticationHandlerFactory(
                        (user, password, context) -> {
                            if (!user.equals("bob") || !password.equals(PASSWORD)) {
                                throw new LoginFailedException("bad user or password");
                            }
                        }));
            }
            smtp = b.build();
            smtp.start();
            closeLater.add(smtp::stop);
        }

        int port() {
            return smtp.getPortAllocated();
        }

        String url(String userInfo, String options) {
            return "smtp://" + userInfo + "127.0.0.1:" + port() + "?" + OPTIONS + options;
        }

        private static String tlsProtocol(MessageContext context) {
            if (context instanceof org.subethamail.smtp.server.Session s && s.isTLSStarted()
                    && s.getSocket() instanceof SSLSocket socket) {
                return socket.getSession().getProtocol();
            }
            return null;
        }

        private static String user(MessageContext context) {
            return context.getAuthenticationHandler().map(AuthenticationHandler::getIdentity).map(Object::toString)
                    .orElse(null);
        }
    }

    /** A self-signed certificate for 127.0.0.1, made by the JDK's keytool (no certificate in the repository). */
    @BeforeAll
    static void selfSignedCertificate() throws Exception {
        Path store = dir.resolve("server.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "smtp", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit", "-keypass",
                "changeit").redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeLater.size() - 1; i >= 0; i--) {
            closeLater.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closing(T t) {
        closeLater.add(t);
        return t;
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

    private static Event event(int n) {
        Event e = motion(Event.Phase.START, -1, Map.of());
        return new Event("frontdoor-" + n, e.camera(), e.kind(), e.phase(), e.title(), e.zones(), START, -1,
                e.startPts(), e.endPts(), e.peakScore(), e.boxes(), e.snapshot(), e.details());
    }

    private static Received one(Server server) {
        await().atMost(Duration.ofSeconds(10)).until(() -> !server.received.isEmpty());
        assertThat(server.received).hasSize(1);
        return server.received.get(0);
    }

    @Test
    void starttlsRequiredUpgradesTheSessionAndTheMailArrivesWithItsSnapshot() throws Exception {
        Server server = new Server(new Offer(true, true, false));
        SmtpSink sink = closing(SmtpSink.parse(server.url("", "&starttls=required&trust=all"), e -> JPEG));
        sink.deliver(event(1));

        Received got = one(server);
        assertThat(got.overTls()).as("the server's session was upgraded").isTrue();
        assertThat(got.tlsProtocol()).startsWith("TLSv1.");
        assertThat(got.from()).isEqualTo("cam@example.org");
        assertThat(got.to()).isEqualTo("me@example.org");
        MimeMessage m = got.message();
        assertThat(m.getSubject()).isEqualTo("[streamtee] frontdoor: motion in porch (12:00:10)");
        BodyPart picture = ((Multipart) m.getContent()).getBodyPart(1);
        assertThat(picture.getFileName()).isEqualTo("snapshot.jpg");
        assertThat(picture.getDisposition()).isEqualTo(Part.ATTACHMENT);
        try (InputStream in = picture.getInputStream()) {
            assertThat(in.readAllBytes()).as("byte-identical").isEqualTo(JPEG);
        }
    }

    @Test
    void starttlsTrueUpgradesWhenTheServerOffersItAndWithoutItTheSameServerSeesPlainText() throws Exception {
        Server server = new Server(new Offer(true, false, false));
        SmtpSink upgrading = closing(SmtpSink.parse(server.url("", "&starttls=true&trust=all")));
        upgrading.deliver(event(2));
        assertThat(one(server).overTls()).as("starttls=true upgrades when offered").isTrue();

        server.received.clear();
        SmtpSink plain = closing(SmtpSink.parse(server.url("", "")));
        plain.deliver(event(3));
        assertThat(one(server).overTls()).as("no ?starttls: plain, so the check above can tell").isFalse();
    }

    @Test
    void starttlsRequiredRefusesAServerThatDoesNotOfferItWhileStarttlsTrueFallsBackToPlain() throws Exception {
        Server server = new Server(new Offer(false, false, false));
        int port = server.port();
        SmtpSink required = closing(SmtpSink.parse(server.url("", "&starttls=required&trust=all")));
        assertThatThrownBy(() -> required.deliver(event(4)))
                .isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith("smtp 127.0.0.1:" + port + ": ")
                        .containsIgnoringCase("STARTTLS").doesNotContain("\n"));
        assertThat(server.received).isEmpty();

        SmtpSink optional = closing(SmtpSink.parse(server.url("", "&starttls=true&trust=all")));
        optional.deliver(event(5));
        assertThat(one(server).overTls()).isFalse();
    }

    @Test
    void starttlsWithoutTrustAllRefusesTheSelfSignedCertificateAndNeverFallsBackToPlain() {
        Server server = new Server(new Offer(true, false, false));
        int port = server.port();
        for (String starttls : List.of("required", "true")) {
            SmtpSink sink = closing(SmtpSink.parse(server.url("", "&starttls=" + starttls + "&timeout=5s")));
            assertThatThrownBy(() -> sink.deliver(event(6)))
                    .as("starttls=" + starttls)
                    .isInstanceOf(IOException.class)
                    .satisfies(e -> assertThat(e.getMessage()).startsWith("smtp 127.0.0.1:" + port
                                    + ": TLS failed: the server's certificate is not trusted (")
                            .endsWith("?trust=all accepts any certificate (for a self-signed test server only)")
                            .doesNotContain("\n"));
        }
        assertThat(server.received).as("not sent in plain text either").isEmpty();
    }

    @Test
    void authenticatesAfterTheUpgradeAndAWrongPasswordIsOneLineWithoutIt() throws Exception {
        Server server = new Server(new Offer(true, true, true));
        int port = server.port();
        SmtpSink sink = closing(SmtpSink.parse(server.url("bob:" + PASSWORD + "@", "&starttls=required&trust=all"),
                e -> JPEG));
        sink.deliver(event(7));
        Received got = one(server);
        assertThat(got.overTls()).isTrue();
        assertThat(got.user()).as("the server saw the login").isEqualTo("bob");

        SmtpSink wrong = closing(SmtpSink.parse(server.url("bob:wrong-pw@", "&starttls=required&trust=all")));
        assertThatThrownBy(() -> wrong.deliver(event(8)))
                .isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(e.getMessage())
                        .startsWith("smtp 127.0.0.1:" + port + ": authentication failed for user 'bob'")
                        .doesNotContain("wrong-pw").doesNotContain("\n"));
        assertThat(server.received).hasSize(1);
    }

    /**
     * Offers STARTTLS, says "go ahead" to it and then never starts the handshake: one connection, served on its own
     * thread until the test closes it.
     */
    private static final class StallingServer implements AutoCloseable {
        final ServerSocket socket;
        final List<String> commands = new CopyOnWriteArrayList<>();
        final Thread thread;
        volatile Socket client;

        StallingServer() throws IOException {
            socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            thread = Thread.ofPlatform().daemon().name("stalling smtp").start(this::serve);
        }

        private void serve() {
            try (Socket c = socket.accept()) {
                client = c;
                OutputStream out = c.getOutputStream();
                BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(),
                        StandardCharsets.US_ASCII));
                out.write("220 127.0.0.1 ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    commands.add(line);
                    String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                    if (verb.equals("EHLO")) {
                        out.write("250-127.0.0.1\r\n250 STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
                    } else if (verb.equals("STARTTLS")) {
                        out.write("220 go ahead\r\n".getBytes(StandardCharsets.US_ASCII));
                        c.getInputStream().readAllBytes(); // and never answer the ClientHello
                        return;
                    } else {
                        out.write("502 not here\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                }
            } catch (IOException e) {
                // closed
            }
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            Socket c = client;
            if (c != null) {
                c.close();
            }
            thread.join(Duration.ofSeconds(5));
        }
    }

    @Test
    @Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang fails, not blocks the build
    void aServerThatStallsAfterStarttlsFailsTheDeliveryAfterTheTimeout() throws Exception {
        StallingServer stalling = closing(new StallingServer());
        SmtpSink sink = closing(SmtpSink.parse("smtp://127.0.0.1:" + stalling.port() + "?" + OPTIONS
                + "&starttls=required&trust=all&timeout=500ms"));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> sink.deliver(event(9)))
                .hasMessage("smtp 127.0.0.1:" + stalling.port() + ": no answer within 0.5s (?timeout=)");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(400), Duration.ofSeconds(5));
        assertThat(stalling.commands).as("it did get as far as STARTTLS").anyMatch(c -> c.equals("STARTTLS"));
    }
}
