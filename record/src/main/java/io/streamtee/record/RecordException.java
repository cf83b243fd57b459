package io.streamtee.record;

import io.streamtee.cli.CommandException;

/** The recorder cannot start: the message is one line for a person (which address or directory, what to do). */
public final class RecordException extends CommandException {
    public RecordException(String message, Throwable cause) {
        super(message, cause);
    }

    public RecordException(String message) {
        super(message);
    }
}
