package io.streamtee.cli;

import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

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

    /**
     * Installs a handler for SIGHUP, where the platform has it. A process started with SIGHUP ignored ({@code nohup})
     * keeps ignoring it (the JVM installs no handler then): that is said in one warning line, since a reload on
     * SIGHUP would otherwise silently do nothing.
     *
     * @return whether SIGHUP now runs {@code action}
     */
    public static boolean onHangup(Runnable action) {
        try {
            SignalHandler previous = Signal.handle(new Signal("HUP"), s -> action.run());
            if (previous == SignalHandler.SIG_IGN) {
                LoggerFactory.getLogger(Signals.class).warn("SIGHUP is ignored in this process (started with nohup?):"
                        + " kill -HUP will not reload; a change to the config file still does");
                return false;
            }
            return true;
        } catch (IllegalArgumentException e) {
            return false; // not available here
        }
    }
}
