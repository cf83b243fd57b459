package io.streamtee.analyze.sink.mail;

import io.streamtee.analyze.event.Event;
import io.streamtee.config.ConfigException;
import io.streamtee.config.Units;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Where and how the mail sink sends, parsed from one URL:
 * {@code smtp://[user[:password]@]host[:port]?to=a@x.org[,b@y.org]&from=cam@x.org[&starttls=true|required]
 * [&ssl=true][&phases=start,end][&timeout=20s][&zone=Europe/Berlin][&trust=all]}.
 *
 * <ul>
 * <li>{@code to} (required): one or more addresses, comma-separated. {@code from} (required): the sender.</li>
 * <li>{@code starttls=true} upgrades to TLS when the server offers it; {@code required} refuses to send otherwise.
 * Once offered, the upgrade must succeed: a certificate that is not trusted fails the delivery with either, it never
 * falls back to plain text.
 * {@code ssl=true} is TLS from the first byte (SMTPS). The port defaults to 587 with STARTTLS, 465 with SSL, 25
 * otherwise.</li>
 * <li>The password may be left out of the URL and given in the environment as {@code STREAMTEE_SMTP_PASSWORD}, so it
 * is not in the config file. It is never part of {@link #name()}, {@link #toString()} or any error message.</li>
 * <li>{@code phases}: which phases are mailed, default {@code start,end} (not the updates in between).</li>
 * <li>{@code timeout}: the limit on connecting and on each read and write, default 20 s: a server that hangs fails
 * the delivery instead of holding the sink forever.</li>
 * <li>{@code zone}: the time zone of the times in the mail, default the system's.</li>
 * <li>{@code trust=all}: accept any TLS certificate. For tests against a self-signed server only: it gives up the
 * protection TLS is for.</li>
 * </ul>
 *
 * @param host     the server: a name or an address (IPv6 without brackets)
 * @param port     its port
 * @param user     the login, or null to send without authenticating
 * @param password the password (null without a user); never shown
 * @param to       the recipients, at least one
 * @param from     the sender
 * @param security plain, STARTTLS (optional or required), or SSL
 * @param phases   the phases that are mailed
 * @param timeout  connect, read and write timeout
 * @param zone     the zone of the times shown
 * @param trustAll whether any certificate is accepted (tests only)
 */
public record SmtpSettings(String host, int port, String user, String password, List<InternetAddress> to,
        InternetAddress from, Security security, Set<Event.Phase> phases, Duration timeout, ZoneId zone,
        boolean trustAll) {

    /** The environment variable that holds the password when the URL has a user but no password. */
    public static final String PASSWORD_ENV = "STREAMTEE_SMTP_PASSWORD";

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

    /** How the connection is protected. */
    public enum Security {
        /** No TLS (port 25). */
        NONE,
        /** STARTTLS when the server offers it, plain otherwise (port 587). */
        STARTTLS,
        /** STARTTLS or no delivery (port 587). */
        STARTTLS_REQUIRED,
        /** TLS from the first byte, SMTPS (port 465). */
        SSL
    }

    public SmtpSettings {
        to = List.copyOf(to);
        phases = Set.copyOf(phases);
    }

    /** Parses a sink URL, taking a password left out of it from {@code STREAMTEE_SMTP_PASSWORD}. */
    public static SmtpSettings parse(String url) {
        return parse(url, System::getenv);
    }

    /**
     * Parses a sink URL.
     *
     * @param env looks up environment variables (the password, {@link #PASSWORD_ENV})
     * @throws ConfigException naming the sink (without its password) and what is wrong
     */
    public static SmtpSettings parse(String url, UnaryOperator<String> env) {
        String shown = redact(url);
        if (url == null || url.isBlank()) {
            throw bad(shown, "empty (smtp://mail.example.org:587?to=me@example.org&from=cam@example.org)");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw bad(shown, "not a valid URL (percent-encode special characters in the user and password, e.g. "
                    + "@ as %40, or give the password in " + PASSWORD_ENV + ")");
        }
        if (!"smtp".equalsIgnoreCase(uri.getScheme())) {
            throw bad(shown, "the scheme must be smtp:// (use ?ssl=true for SMTPS)");
        }
        String host = uri.getHost();
        if (host != null && host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1); // an IPv6 address: the brackets belong to the URL
        }
        if (host == null || host.isEmpty()) {
            throw bad(shown, "no host (smtp://mail.example.org:587?to=...)" + (url.contains("@")
                    ? "; percent-encode special characters in the user and password, e.g. @ as %40" : ""));
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
            throw bad(shown, "unexpected path '" + uri.getRawPath() + "' (options go after ?)");
        }
        Map<String, String> query = query(shown, uri.getRawQuery());

        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = percentDecode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : percentDecode(userInfo.substring(colon + 1));
            if (user.isEmpty()) {
                throw bad(shown, "empty user name before @");
            }
            if (password == null || password.isEmpty()) {
                password = env.apply(PASSWORD_ENV);
                if (password == null || password.isEmpty()) {
                    throw bad(shown, "user '" + user + "' has no password: put it in the URL "
                            + "(smtp://user:password@host) or in the environment as " + PASSWORD_ENV);
                }
            }
        }

        String toText = query.remove("to");
        if (toText == null || toText.isBlank()) {
            throw bad(shown, "?to= is required (one or more addresses, comma-separated)");
        }
        List<InternetAddress> to = new ArrayList<>();
        for (String one : toText.split(",")) {
            if (!one.isBlank()) {
                to.add(address(shown, "to", one.strip()));
            }
        }
        String fromText = query.remove("from");
        if (fromText == null || fromText.isBlank()) {
            throw bad(shown, "?from= is required (the sender's address, e.g. from=camera@example.org)");
        }
        InternetAddress from = address(shown, "from", fromText.strip());

        boolean ssl = bool(shown, "ssl", query.remove("ssl"));
        String starttlsText = query.remove("starttls");
        Security security;
        if (starttlsText == null || starttlsText.equalsIgnoreCase("false")) {
            security = ssl ? Security.SSL : Security.NONE;
        } else if (starttlsText.equalsIgnoreCase("true")) {
            security = Security.STARTTLS;
        } else if (starttlsText.equalsIgnoreCase("required")) {
            security = Security.STARTTLS_REQUIRED;
        } else {
            throw bad(shown, "?starttls= must be true, required or false, not '" + starttlsText + "'");
        }
        if (ssl && security != Security.SSL) {
            throw bad(shown, "?ssl=true and ?starttls= exclude each other (SSL is TLS from the start, port 465; "
                    + "STARTTLS upgrades a plain connection, port 587)");
        }
        int port = uri.getPort();
        if (port < 0) {
            port = switch (security) {
                case SSL -> 465;
                case STARTTLS, STARTTLS_REQUIRED -> 587;
                case NONE -> 25;
            };
        }

        Set<Event.Phase> phases = phases(shown, query.remove("phases"));
        String timeoutText = query.remove("timeout");
        Duration timeout = timeoutText == null ? DEFAULT_TIMEOUT : Units.duration("sink '" + shown + "' ?timeout=",
                timeoutText);
        if (timeout.toMillis() < 1 || timeout.toMillis() > Integer.MAX_VALUE) {
            throw bad(shown, "?timeout= must be between 1ms and 24d, not '" + timeoutText + "'");
        }
        String zoneText = query.remove("zone");
        ZoneId zone;
        try {
            zone = zoneText == null ? ZoneId.systemDefault() : ZoneId.of(zoneText);
        } catch (DateTimeException e) {
            throw bad(shown, "?zone= '" + zoneText + "' is not a time zone (e.g. Europe/Berlin, UTC)");
        }
        String trust = query.remove("trust");
        if (trust != null && !trust.equals("all")) {
            throw bad(shown, "?trust= can only be 'all' (accept any certificate: for tests only)");
        }
        if (!query.isEmpty()) {
            throw bad(shown, "unknown option ?" + query.keySet().iterator().next()
                    + "= (known: to, from, starttls, ssl, phases, timeout, zone, trust)");
        }
        return new SmtpSettings(host, port, user, password, to, from, security, phases, timeout, zone,
                trust != null);
    }

    /** The server as errors name it: {@code 127.0.0.1:3025}. */
    public String server() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** How logs name the sink: the URL without the password, e.g. {@code smtp://bob@mail.lan:587?to=me@x.org}. */
    public String name() {
        StringBuilder b = new StringBuilder("smtp://");
        if (user != null) {
            b.append(user).append('@');
        }
        b.append(server()).append("?to=");
        for (int i = 0; i < to.size(); i++) {
            b.append(i == 0 ? "" : ",").append(to.get(i).getAddress());
        }
        return b.toString();
    }

    /** Like {@link #name()}: never shows the password. */
    @Override
    public String toString() {
        return "SmtpSettings[" + name() + ", from=" + from + ", security=" + security + ", phases=" + phases
                + ", timeout=" + timeout + ", zone=" + zone + (trustAll ? ", trust=all" : "") + "]";
    }

    /**
     * The URL as error messages show it: the password (between {@code user:} and the last {@code @} before the
     * host) becomes {@code ***}.
     */
    static String redact(String url) {
        String s = url == null ? "" : url.strip();
        int start = s.indexOf("://");
        if (start < 0) {
            return s;
        }
        start += 3;
        int query = s.indexOf('?', start);
        int at = s.lastIndexOf('@', query < 0 ? s.length() : query);
        if (at < start) {
            return s;
        }
        int colon = s.indexOf(':', start);
        if (colon < 0 || colon > at) {
            return s;
        }
        return s.substring(0, colon + 1) + "***" + s.substring(at);
    }

    private static ConfigException bad(String shown, String message) {
        return new ConfigException("sink '" + shown + "': " + message);
    }

    private static Map<String, String> query(String shown, String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = percentDecode(eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "" : percentDecode(pair.substring(eq + 1));
            if (out.put(key, value) != null) {
                throw bad(shown, "?" + key + "= is given twice (several recipients go in one: to=a@x.org,b@y.org)");
            }
        }
        return out;
    }

    private static InternetAddress address(String shown, String key, String text) {
        try {
            InternetAddress a = new InternetAddress(text, true);
            a.validate();
            return a;
        } catch (AddressException e) {
            throw bad(shown, "?" + key + "= '" + text + "' is not a mail address (" + e.getMessage() + ")");
        }
    }

    private static boolean bool(String shown, String key, String text) {
        if (text == null || text.equalsIgnoreCase("false")) {
            return false;
        }
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        throw bad(shown, "?" + key + "= must be true or false, not '" + text + "'");
    }

    private static Set<Event.Phase> phases(String shown, String text) {
        if (text == null) {
            return EnumSet.of(Event.Phase.START, Event.Phase.END);
        }
        EnumSet<Event.Phase> phases = EnumSet.noneOf(Event.Phase.class);
        for (String one : text.split(",")) {
            try {
                phases.add(Event.Phase.valueOf(one.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw bad(shown, "?phases= '" + one.strip() + "' is not a phase (start, update, end)");
            }
        }
        return phases;
    }

    /** Percent-decoding as in URLs ({@code +} stays a plus), UTF-8. */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        int i = 0;
        while (i < s.length()) {
            int c = s.codePointAt(i);
            if (c == '%' && i + 2 < s.length() && Character.digit(s.charAt(i + 1), 16) >= 0
                    && Character.digit(s.charAt(i + 2), 16) >= 0) {
                out.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
                i += 3;
            } else {
                out.writeBytes(Character.toString(c).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
