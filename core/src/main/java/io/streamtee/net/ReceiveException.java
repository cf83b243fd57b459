package io.streamtee.net;

import io.streamtee.cli.CommandException;

/** A receiver cannot listen: the message is one line naming the address and what to do. */
public final class ReceiveException extends CommandException {
    public ReceiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
