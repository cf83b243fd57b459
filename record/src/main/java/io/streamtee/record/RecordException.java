package io.streamtee.record;

/** The recorder cannot start: the message is one line for a person (which address or directory, what to do). */
public final class RecordException extends RuntimeException {
    public RecordException(String message, Throwable cause) {
        super(message, cause);
    }

    public RecordException(String message) {
        super(message);
    }
}
