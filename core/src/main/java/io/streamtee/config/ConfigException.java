package io.streamtee.config;

import io.streamtee.cli.Cli;
import io.streamtee.cli.CommandException;

/**
 * A configuration or command-line value that cannot be used. The message is meant for a person: it names the key
 * (or flag) and the bad value, and is printed as one line without a stack trace.
 */
public final class ConfigException extends CommandException {
    /** @param message control characters in it (a CR or LF in an echoed value) are escaped, to keep it one line */
    public ConfigException(String message) {
        super(oneLine(message));
    }

    public ConfigException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** {@code text} with CR, LF and the other control and line separator characters written as Java escapes. */
    static String oneLine(String text) {
        if (text == null || text.chars().noneMatch(ConfigException::breaksLine)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 8);
        text.chars().forEach(c -> {
            if (c == '\r') {
                out.append("\\r");
            } else if (c == '\n') {
                out.append("\\n");
            } else if (breaksLine(c)) {
                out.append(String.format(java.util.Locale.ROOT, "\\u%04x", c));
            } else {
                out.append((char) c);
            }
        });
        return out.toString();
    }

    private static boolean breaksLine(int c) {
        return (Character.isISOControl(c) && c != '\t') || c == '\u2028' || c == '\u2029';
    }

    /** {@link Cli#EXIT_USAGE}: the command line or config must change. */
    @Override
    public int exitCode() {
        return Cli.EXIT_USAGE;
    }

    /** Prefixes the message with where the value came from, e.g. {@code routes.frontdoor.outputs[1]}. */
    public static ConfigException at(String key, String message) {
        return new ConfigException(key + ": " + message);
    }
}
