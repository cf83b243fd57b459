package io.streamtee.analyze.sink.syslog;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The collector's side, for tests: reads an RFC 5424 message back into its fields, and splits an RFC 6587
 * octet-counted TCP stream into messages. Written from the RFCs' grammar, independently of {@link SyslogFormat}.
 */
record Rfc5424(int pri, int version, String timestamp, String hostname, String appName, String procId,
        String msgId, String sdId, Map<String, String> params, String msg, boolean bom) {

    /** Parses one message; throws IllegalArgumentException naming what does not fit the grammar. */
    static Rfc5424 parse(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.UTF_8);
        int[] at = {0};
        expect(s, at, '<');
        int pri = Integer.parseInt(until(s, at, '>'));
        String version = until(s, at, ' ');
        String timestamp = until(s, at, ' ');
        String hostname = until(s, at, ' ');
        String app = until(s, at, ' ');
        String procId = until(s, at, ' ');
        String msgId = until(s, at, ' ');
        expect(s, at, '[');
        String sdId = token(s, at);
        Map<String, String> params = new LinkedHashMap<>();
        while (s.charAt(at[0]) == ' ') {
            at[0]++;
            String name = until(s, at, '=');
            expect(s, at, '"');
            StringBuilder value = new StringBuilder();
            while (true) {
                char c = s.charAt(at[0]++);
                if (c == '\\') {
                    char next = s.charAt(at[0]++);
                    if (next != '"' && next != '\\' && next != ']') {
                        value.append('\\'); // RFC 5424 6.3.3: any other backslash is kept as is
                    }
                    value.append(next);
                } else if (c == '"') {
                    break;
                } else if (c == ']') {
                    throw new IllegalArgumentException("unescaped ] in " + name + " at " + at[0] + ": " + s);
                } else {
                    value.append(c);
                }
            }
            params.put(name, value.toString());
        }
        expect(s, at, ']');
        String msg = "";
        boolean bom = false;
        if (at[0] < s.length()) {
            expect(s, at, ' ');
            msg = s.substring(at[0]);
            bom = msg.startsWith("\uFEFF");
            if (bom) {
                msg = msg.substring(1);
            }
        }
        return new Rfc5424(pri, Integer.parseInt(version), timestamp, hostname, app, procId, msgId, sdId, params,
                msg, bom);
    }

    /** Splits {@code LEN SP MSG LEN SP MSG ...}; throws if the stream ends inside a frame. */
    static List<byte[]> octetCounted(byte[] stream) {
        List<byte[]> out = new ArrayList<>();
        int i = 0;
        while (i < stream.length) {
            int len = 0;
            int digits = 0;
            while (stream[i] != ' ') {
                if (stream[i] < '0' || stream[i] > '9' || digits++ > 9) {
                    throw new IllegalArgumentException("bad MSG-LEN at byte " + i);
                }
                len = len * 10 + stream[i++] - '0';
            }
            i++;
            if (digits == 0 || i + len > stream.length) {
                throw new IllegalArgumentException("frame at byte " + i + " is cut short");
            }
            out.add(Arrays.copyOfRange(stream, i, i + len));
            i += len;
        }
        return out;
    }

    private static void expect(String s, int[] at, char c) {
        if (at[0] >= s.length() || s.charAt(at[0]) != c) {
            throw new IllegalArgumentException("expected '" + c + "' at " + at[0] + ": " + s);
        }
        at[0]++;
    }

    private static String until(String s, int[] at, char end) {
        int i = s.indexOf(end, at[0]);
        if (i < 0) {
            throw new IllegalArgumentException("no '" + end + "' after " + at[0] + ": " + s);
        }
        String out = s.substring(at[0], i);
        at[0] = i + 1;
        return out;
    }

    private static String token(String s, int[] at) {
        int start = at[0];
        while (s.charAt(at[0]) != ' ' && s.charAt(at[0]) != ']') {
            at[0]++;
        }
        return s.substring(start, at[0]);
    }
}
