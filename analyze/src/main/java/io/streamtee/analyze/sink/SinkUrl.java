package io.streamtee.analyze.sink;

import io.streamtee.config.ConfigException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the sinks' URLs have in common: the query string taken apart, and percent-decoding. */
public final class SinkUrl {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}]*)}?");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

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

    /**
     * Replaces each {@code ${NAME}} in a sink URL by the environment variable {@code NAME}, so that a secret need not be
     * written in a config file: {@code smtp://cam:${SMTP_PASSWORD}@mail.lan:587?to=...}. In the user and password
     * (between {@code ://} and the {@code @} before the host) and in the query (after the first {@code ?}) the value is
     * percent-encoded, so any character is safe there; elsewhere (a host, a path) it is put in as it is. A {@code $}
     * not followed by <code>{</code> stays as it is.
     *
     * @param env looks a variable up (null when unset)
     * @throws ConfigException naming the variable (never its value) when it is unset or empty, or the reference is
     *                         malformed
     */
    public static String expand(String url, UnaryOperator<String> env) {
        if (url == null || !url.contains("${")) {
            return url;
        }
        int scheme = url.indexOf("://");
        int authorityEnd = url.length();
        if (scheme >= 0) {
            for (int i = scheme + 3; i < url.length(); i++) {
                char c = url.charAt(i);
                if (c == '/' || c == '?' || c == '#') {
                    authorityEnd = i;
                    break;
                }
            }
        }
        int at = scheme < 0 ? -1 : url.lastIndexOf('@', authorityEnd - 1);
        int query = url.indexOf('?');
        StringBuilder out = new StringBuilder();
        Matcher m = REFERENCE.matcher(url);
        int last = 0;
        while (m.find()) {
            String name = m.group(1);
            if (!m.group().endsWith("}")) {
                throw new ConfigException("${" + name + " has no closing }");
            }
            if (!NAME.matcher(name).matches()) {
                throw new ConfigException("${" + name + "}: an environment variable name is letters, digits and _");
            }
            String value = env.apply(name);
            if (value == null || value.isEmpty()) {
                throw new ConfigException("${" + name + "}: the environment variable " + name + " is not set");
            }
            boolean encode = (query >= 0 && m.start() > query) || (at > scheme && m.start() > scheme && m.start() < at);
            out.append(url, last, m.start()).append(encode ? encode(value) : value);
            last = m.end();
        }
        return out.append(url, last, url.length()).toString();
    }

    /** Percent-encodes every character but the unreserved ones (a space as {@code %20}, never {@code +}). */
    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Decodes {@code %XX} as UTF-8; a {@code +} stays a {@code +} (a secret or password may hold one). */
    public static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
