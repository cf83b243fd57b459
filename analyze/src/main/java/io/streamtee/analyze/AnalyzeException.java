package io.streamtee.analyze;

import io.streamtee.cli.CommandException;

/** The analyzer cannot start: one line for a person (the socket cannot be bound, ...). */
public final class AnalyzeException extends CommandException {
    public AnalyzeException(String message, Throwable cause) {
        super(message, cause);
    }
}
