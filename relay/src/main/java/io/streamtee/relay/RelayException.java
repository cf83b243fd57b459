package io.streamtee.relay;

import io.streamtee.cli.CommandException;

/** The relay cannot start or run; the message is one line for a person (which address, what went wrong, what to do). */
public final class RelayException extends CommandException {
    public RelayException(String message, Throwable cause) {
        super(message, cause);
    }

    public RelayException(String message) {
        super(message);
    }
}
