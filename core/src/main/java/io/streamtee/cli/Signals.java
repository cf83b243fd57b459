package io.streamtee.cli;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * Waits for SIGTERM or SIGINT so that a command can stop in order (stop reading, drain, print its summary) and exit 0,
 * as systemd expects, instead of being cut short by the JVM's default handler.
 */
public final class Signals {
    private Signals() {
    }

    /** Installs the handlers; {@link CountDownLatch#await()} on the result returns when a stop signal arrives. */
    public static CountDownLatch stopLatch() {
        CountDownLatch stop = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), s -> stop.countDown());
            } catch (IllegalArgumentException e) {
                // The signal is not available on this platform or is reserved by the JVM: keep the default.
            }
        }
        return stop;
    }

    /** Installs a handler for SIGHUP, where the platform has it. */
    public static void onHangup(Runnable action) {
        try {
            Signal.handle(new Signal("HUP"), s -> action.run());
        } catch (IllegalArgumentException e) {
            // not available here
        }
    }
}
