package io.streamtee.analyze.sink.mail;

import io.streamtee.analyze.event.Event;
import io.streamtee.analyze.event.EventSink;
import io.streamtee.config.Units;
import jakarta.activation.DataHandler;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Arrays;
import java.util.Date;
import java.util.Locale;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mails events to people over SMTP, one mail per mailed phase (by default the start and the end of each event, not
 * the updates): a subject that says what, where and when ({@link MailText}), a plain-text UTF-8 body, and the
 * snapshot attached as {@code snapshot.jpg} when a snapshot supplier was given and has one. The mail of an event's
 * end answers the mail of its start ({@code In-Reply-To}), so mail clients show them as one thread.
 *
 * <p>Each delivery opens its own connection (the sink is lazy: a server that is down at start is not an error until
 * a delivery fails, and the next try connects again) and closes it after. Connecting and every read and write are
 * bounded by {@link SmtpSettings#timeout()}: a server that hangs fails the delivery, which {@code SinkQueue} retries.
 * A failure is thrown as an {@link IOException} with one line naming the server and the cause
 * ({@code smtp 127.0.0.1:3025: authentication failed for user 'bob'}), never the password; a server certificate the
 * JVM does not trust says so and names {@code ?trust=all}.
 */
public final class SmtpSink implements EventSink {
    /** The name of the attached snapshot. */
    public static final String SNAPSHOT_NAME = "snapshot.jpg";
    private static final Logger LOG = LoggerFactory.getLogger(SmtpSink.class);

    private final SmtpSettings settings;
    private final Function<Event, byte[]> snapshots;
    private final MailText text;
    private final Session session;

    /**
     * @param snapshots gives the JPEG bytes of an event's snapshot, or null for none; called on the sink's thread.
     *                  May itself be null: no attachments. If it throws, the mail goes without the picture.
     */
    public SmtpSink(SmtpSettings settings, Function<Event, byte[]> snapshots) {
        this.settings = settings;
        this.snapshots = snapshots;
        this.text = new MailText(settings.zone());
        this.session = Session.getInstance(properties(settings));
    }

    /** A sink from its URL (see {@link SmtpSettings}), without snapshots. */
    public static SmtpSink parse(String url) {
        return new SmtpSink(SmtpSettings.parse(url), null);
    }

    /** A sink from its URL (see {@link SmtpSettings}) that attaches what {@code snapshots} gives. */
    public static SmtpSink parse(String url, Function<Event, byte[]> snapshots) {
        return new SmtpSink(SmtpSettings.parse(url), snapshots);
    }

    public SmtpSettings settings() {
        return settings;
    }

    @Override
    public String name() {
        return settings.name();
    }

    /** Mails the event if its phase is one of {@link SmtpSettings#phases()}; other phases are skipped. */
    @Override
    public void deliver(Event event) throws IOException {
        if (!settings.phases().contains(event.phase())) {
            return;
        }
        MimeMessage message;
        try {
            message = message(event);
        } catch (MessagingException e) {
            throw new IOException("smtp " + settings.server() + ": cannot compose the mail of " + event.id() + ": "
                    + oneLine(e.getMessage()), e);
        }
        send(message);
    }

    /** The mail of one event, ready to send. */
    MimeMessage message(Event event) throws MessagingException {
        EventMessage m = new EventMessage(session, messageId(event, event.phase()));
        m.setFrom(settings.from());
        m.setRecipients(MimeMessage.RecipientType.TO, settings.to().toArray(new Address[0]));
        m.setSubject(text.subject(event), "UTF-8");
        m.setSentDate(new Date());
        m.setHeader("X-Streamtee-Event", oneLine(event.id()));
        if (event.phase() != Event.Phase.START) {
            String start = messageId(event, Event.Phase.START);
            m.setHeader("In-Reply-To", start);
            m.setHeader("References", start);
        }
        byte[] jpeg = snapshot(event);
        String body = text.body(event, jpeg != null);
        if (jpeg == null) {
            m.setText(body, "UTF-8", "plain");
        } else {
            MimeBodyPart textPart = new MimeBodyPart();
            textPart.setText(body, "UTF-8", "plain");
            MimeBodyPart picture = new MimeBodyPart();
            picture.setDataHandler(new DataHandler(new ByteArrayDataSource(jpeg, "image/jpeg")));
            picture.setFileName(SNAPSHOT_NAME);
            picture.setDisposition(MimeBodyPart.ATTACHMENT);
            m.setContent(new MimeMultipart(textPart, picture));
        }
        m.saveChanges();
        return m;
    }

    private byte[] snapshot(Event event) {
        if (snapshots == null) {
            return null;
        }
        try {
            byte[] jpeg = snapshots.apply(event);
            return jpeg == null || jpeg.length == 0 ? null : jpeg;
        } catch (RuntimeException e) { // the mail matters more than its picture
            LOG.warn("sink {}: no snapshot for {}: {}", name(), event.id(), e.toString());
            return null;
        }
    }

    private void send(MimeMessage message) throws IOException {
        Transport transport = null;
        try {
            transport = session.getTransport("smtp");
            transport.connect(settings.host(), settings.port(), settings.user(), settings.password());
            transport.sendMessage(message, message.getAllRecipients());
        } catch (MessagingException | RuntimeException e) {
            throw new IOException(describe(e), e);
        } finally {
            if (transport != null) {
                try {
                    transport.close();
                } catch (MessagingException e) {
                    // sent or failed already; QUIT's answer changes nothing
                }
            }
        }
    }

    /** One line naming the server and what went wrong, without the password. */
    String describe(Exception e) {
        String what = null;
        for (Throwable t = e; t != null && what == null; t = t.getCause()) {
            if (t instanceof AuthenticationFailedException a) {
                String reply = oneLine(a.getMessage());
                what = "authentication failed for user '" + settings.user() + "'"
                        + (reply.isEmpty() ? "" : " (" + reply + ")");
            } else if (t instanceof SocketTimeoutException) {
                what = "no answer within " + Units.formatDuration(settings.timeout())
                        + " (?timeout=)";
            } else if (t instanceof ConnectException c) {
                what = c.getMessage() == null ? "cannot connect" : c.getMessage().toLowerCase(Locale.ROOT);
            } else if (t instanceof UnknownHostException) {
                what = "unknown host";
            } else if (t instanceof SSLException s) {
                what = "TLS failed: " + tlsReason(s);
            } else if (t instanceof SendFailedException s && s.getInvalidAddresses() != null
                    && s.getInvalidAddresses().length > 0) {
                what = "recipients refused: " + Arrays.stream(s.getInvalidAddresses()).map(Address::toString)
                        .collect(Collectors.joining(", ")) + " (" + oneLine(s.getMessage()) + ")";
            }
        }
        if (what == null) {
            what = oneLine(e.getMessage());
            if (what.isEmpty()) {
                what = e.getClass().getSimpleName();
            }
        }
        String line = "smtp " + settings.server() + ": " + what;
        String password = settings.password();
        return password == null || password.isEmpty() ? line : line.replace(password, "***");
    }

    /**
     * Why the TLS handshake failed: a certificate the JVM does not trust (self-signed, expired, unknown CA) says so,
     * with the innermost reason, and names {@code ?trust=all}; anything else is the exception's first line.
     */
    private static String tlsReason(SSLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException || t instanceof CertPathBuilderException
                    || t instanceof CertPathValidatorException) {
                Throwable root = t;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                String reason = oneLine(root.getMessage());
                return "the server's certificate is not trusted (" + (reason.isEmpty()
                        ? root.getClass().getSimpleName() : reason)
                        + "); ?trust=all accepts any certificate (for a self-signed test server only)";
            }
        }
        return oneLine(e.getMessage());
    }

    /**
     * {@code <streamtee.ID.start@DOMAIN>}: the Message-ID of one phase's mail, with the sender's domain, so the end's
     * mail can name the start's.
     */
    String messageId(Event event, Event.Phase phase) {
        String address = settings.from().getAddress();
        String domain = address.substring(address.lastIndexOf('@') + 1);
        String id = event.id().replaceAll("[^A-Za-z0-9._-]", "_");
        return "<streamtee." + id + "." + phase.name().toLowerCase(Locale.ROOT) + "@" + domain + ">";
    }

    private static Properties properties(SmtpSettings s) {
        Properties p = new Properties();
        String timeout = Long.toString(s.timeout().toMillis());
        p.setProperty("mail.smtp.host", s.host());
        p.setProperty("mail.smtp.port", Integer.toString(s.port()));
        p.setProperty("mail.smtp.connectiontimeout", timeout);
        p.setProperty("mail.smtp.timeout", timeout);
        p.setProperty("mail.smtp.writetimeout", timeout);
        p.setProperty("mail.smtp.quitwait", "false");
        p.setProperty("mail.smtp.auth", Boolean.toString(s.user() != null));
        p.setProperty("mail.smtp.starttls.enable", Boolean.toString(s.security() == SmtpSettings.Security.STARTTLS
                || s.security() == SmtpSettings.Security.STARTTLS_REQUIRED));
        p.setProperty("mail.smtp.starttls.required",
                Boolean.toString(s.security() == SmtpSettings.Security.STARTTLS_REQUIRED));
        p.setProperty("mail.smtp.ssl.enable", Boolean.toString(s.security() == SmtpSettings.Security.SSL));
        if (s.trustAll()) {
            p.setProperty("mail.smtp.ssl.trust", "*");
            p.setProperty("mail.smtp.ssl.checkserveridentity", "false");
        } else {
            p.setProperty("mail.smtp.ssl.checkserveridentity", "true");
        }
        return p;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.strip().lines().findFirst().orElse("").strip();
    }

    /** A message whose Message-ID is chosen, not generated, so the phases of one event can refer to each other. */
    private static final class EventMessage extends MimeMessage {
        private final String messageId;

        EventMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}
