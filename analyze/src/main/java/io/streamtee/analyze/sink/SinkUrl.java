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

    /**
     * A URL with one query parameter taken out of it, for options that are streamtee's rather than the sink's (such
     * as {@code ?cooldown=}).
     *
     * @param url   the URL without the parameter (and without a {@code ?} left with nothing after it)
     * @param value the parameter's decoded value, or null when the URL does not have it
     */
    public record Taken(String url, String value) {
    }

    /**
     * Takes the parameter {@code key} (matched ignoring case) out of {@code url}'s query, the text after its first
     * {@code ?}; the other pairs stay as written, in order.
     *
     * @throws IllegalArgumentException when the parameter is given more than once (the message says so)
     */
    public static Taken take(String url, String key) {
        int q = url.indexOf('?');
        if (q < 0) {
            return new Taken(url, null);
        }
        String value = null;
        List<String> kept = new ArrayList<>();
        for (Param p : params(url.substring(q + 1))) {
            if (p.key().equalsIgnoreCase(key)) {
                if (value != null) {
                    throw new IllegalArgumentException("?" + key + "= is given twice");
                }
                value = p.value();
            } else {
                kept.add(p.raw());
            }
        }
        if (value == null) {
            return new Taken(url, null);
        }
        return new Taken(url.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept)), value);
    }


    /** Decodes {@code %XX} as UTF-8; a {@code +} stays a {@code +} (a secret or password may hold one). */
    public static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
