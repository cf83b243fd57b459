package io.streamtee.config;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ${NAME}} in a URL of a config file (a sink, a camera's input, an output), replaced by an environment variable,
 * so that a password need not be written in the file: {@code rtsp://admin:${CAM_PASSWORD}@192.168.1.20/stream1}.
 */
public final class UrlVariables {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}]*)}?");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private UrlVariables() {
    }

    /**
     * Replaces each {@code ${NAME}} in a URL by the environment variable {@code NAME}, so that a secret need not be
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
    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
