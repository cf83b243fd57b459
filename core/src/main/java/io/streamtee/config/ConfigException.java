package io.streamtee.config;

import io.streamtee.cli.Cli;
import io.streamtee.cli.CommandException;

/**
 * A configuration or command-line value that cannot be used. The message is meant for a person: it names the key
 * (or flag) and the bad value, and is printed as one line without a stack trace.
 */
public final class ConfigException extends CommandException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
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
