package io.streamtee.analyze.sink.syslog;

import io.streamtee.analyze.event.Event;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Writes an event as one RFC 5424 syslog message, no sockets involved:
 *
 * <pre>{@code
 * <PRI>1 TIMESTAMP HOSTNAME streamtee PROCID MSGID [streamtee@32473 id="..." camera="..." phase="..." zones="a,b"] MSG
 * }</pre>
 *
 * <ul>
 * <li>PRI is facility * 8 + severity: the end of any event is <em>info</em>, the start (and updates) of a health
 * event <em>warning</em>, of a motion event <em>notice</em>;</li>
 * <li>TIMESTAMP (UTC, milliseconds) is the event's start for its START message, its end for its END message, and
 * the time of writing for an UPDATE;</li>
 * <li>MSGID is {@code motion} or {@code health}; the phase is {@code start}, {@code update} or {@code end};</li>
 * <li>in the structured data {@code "}, {@code \} and {@code ]} are escaped with a backslash (RFC 5424 6.3.3);</li>
 * <li>MSG is the event's title, with a UTF-8 byte order mark in front when it is not plain ASCII (RFC 5424 6.4).
 * </li>
 * </ul>
 * Line breaks in any value become spaces, so that a collector that splits on them still sees one message.
 */
public final class SyslogFormat {
    /** The SD-ID: {@code streamtee} under enterprise number 32473 (the one RFC 5612 sets aside for examples). */
    public static final String SD_ID = "streamtee@32473";
    public static final String APP_NAME = "streamtee";

    /** Severities of RFC 5424 6.2.1 that events use. */
    static final int WARNING = 4;
    static final int NOTICE = 5;
    static final int INFO = 6;

    private static final List<String> FACILITIES = List.of("kern", "user", "mail", "daemon", "auth", "syslog", "lpr",
            "news", "uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "clock", "local0", "local1", "local2",
            "local3", "local4", "local5", "local6", "local7");
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final int facility;
    private final String hostname;
    private final String procId;
    private final LongSupplier clockMillis;

    /**
     * @param facility    the facility's code, 0..23 (see {@link #facility(String)})
     * @param hostname    HOSTNAME, or null or empty for {@code -}
     * @param procId      PROCID, or null or empty for {@code -}
     * @param clockMillis the wall clock, for UPDATE messages
     */
    public SyslogFormat(int facility, String hostname, String procId, LongSupplier clockMillis) {
        if (facility < 0 || facility >= FACILITIES.size()) {
            throw new IllegalArgumentException("facility " + facility + " is not 0..23");
        }
        this.facility = facility;
        this.hostname = header(hostname, 255);
        this.procId = header(procId, 128);
        this.clockMillis = clockMillis;
    }

    /** The code of a facility name ({@code daemon}, {@code local0} .. {@code local7}, ...), or -1 if unknown. */
    public static int facility(String name) {
        return FACILITIES.indexOf(name == null ? "" : name.toLowerCase(Locale.ROOT));
    }

    /** The facility names, in code order. */
    public static List<String> facilities() {
        return FACILITIES;
    }

    /** The severity of an event's message. */
    public static int severity(Event event) {
        if (event.phase() == Event.Phase.END) {
            return INFO;
        }
        return event.kind() == Event.Kind.HEALTH ? WARNING : NOTICE;
    }

    /** The message, UTF-8, without any transport framing. */
    public byte[] format(Event event) {
        long millis = switch (event.phase()) {
            case START -> event.startMillis() >= 0 ? event.startMillis() : clockMillis.getAsLong();
            case END -> event.endMillis() >= 0 ? event.endMillis() : clockMillis.getAsLong();
            case UPDATE -> clockMillis.getAsLong();
        };
        String msgId = event.kind().name().toLowerCase(Locale.ROOT);
        StringBuilder head = new StringBuilder(256)
                .append('<').append(facility * 8 + severity(event)).append(">1 ")
                .append(TIMESTAMP.format(Instant.ofEpochMilli(millis))).append(' ')
                .append(hostname).append(' ')
                .append(APP_NAME).append(' ')
                .append(procId).append(' ')
                .append(msgId).append(' ')
                .append('[').append(SD_ID)
                .append(" id=\"").append(escape(event.id())).append('"')
                .append(" camera=\"").append(escape(event.camera())).append('"')
                .append(" phase=\"").append(event.phase().name().toLowerCase(Locale.ROOT)).append('"')
                .append(" zones=\"").append(escape(String.join(",", event.zones()))).append('"')
                .append(']');
        String title = oneLine(event.title());
        if (title.isEmpty()) {
            return head.toString().getBytes(StandardCharsets.UTF_8);
        }
        byte[] h = head.append(' ').toString().getBytes(StandardCharsets.UTF_8);
        byte[] msg = title.getBytes(StandardCharsets.UTF_8);
        boolean ascii = msg.length == title.length();
        byte[] out = new byte[h.length + (ascii ? 0 : BOM.length) + msg.length];
        System.arraycopy(h, 0, out, 0, h.length);
        if (!ascii) {
            System.arraycopy(BOM, 0, out, h.length, BOM.length);
        }
        System.arraycopy(msg, 0, out, out.length - msg.length, msg.length);
        return out;
    }

    /** A PARAM-VALUE: {@code "}, {@code \} and {@code ]} escaped with a backslash, control characters as spaces. */
    public static String escape(String value) {
        String s = oneLine(value);
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\' || c == ']') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    /** Every control character (CR, LF, NUL, which some collectors take for a frame's end, ...) as a space. */
    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\p{Cntrl}", " ");
    }

    /** A header field: printable US-ASCII without spaces, at most {@code max} long, or {@code -} (the NILVALUE). */
    private static String header(String value, int max) {
        if (value == null || value.isEmpty()) {
            return "-";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && out.length() < max; i++) {
            char c = value.charAt(i);
            out.append(c > 32 && c < 127 ? c : '_');
        }
        return out.toString();
    }
}
