package io.streamtee.analyze.sink;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** What the sinks' URLs have in common: the query string taken apart, and percent-decoding. */
public final class SinkUrl {
    private SinkUrl() {
    }

    /**
     * One {@code key=value} of a query string.
     *
     * @param key   decoded
     * @param value decoded; empty when the pair has no {@code =}
     * @param raw   the pair as written, to pass on unchanged
     */
    public record Param(String key, String value, String raw) {
    }

    /** The pairs of a raw query string (null or empty for none), in order, empty pairs left out. */
    public static List<Param> params(String rawQuery) {
        List<Param> out = new ArrayList<>();
        if (rawQuery == null) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            out.add(new Param(decode(eq < 0 ? pair : pair.substring(0, eq)),
                    eq < 0 ? "" : decode(pair.substring(eq + 1)), pair));
        }
        return out;
    }

    /** Decodes {@code %XX} as UTF-8; a {@code +} stays a {@code +} (a secret or password may hold one). */
    public static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
