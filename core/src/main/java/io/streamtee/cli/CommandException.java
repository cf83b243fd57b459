package io.streamtee.cli;

/**
 * A command cannot start or go on. The message is one line for a person (which address or key, what went wrong, what
 * to do); {@link Cli#run} prints it without a stack trace and exits with {@link #exitCode()}. Each module throws its
 * own subclass ({@code RelayException}, {@code RecordException}, {@link io.streamtee.config.ConfigException}).
 */
public class CommandException extends RuntimeException {
    public CommandException(String message) {
        super(message);
    }

    public CommandException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The process exit code: {@link Cli#EXIT_FAILURE} for a runtime failure (a port in use, a full disk). */
    public int exitCode() {
        return Cli.EXIT_FAILURE;
    }
}
