package io.streamtee.cli;

import java.util.Map;
import org.slf4j.MDC;

/**
 * Which camera a log line is about, when one process runs many ({@code serve}): the camera's name is in the logging
 * context ({@link MDC} key {@value #CAMERA}), and the log pattern prints it first ({@code [front-door] recorder
 * stopped: ...}). A service's threads take the context of the thread that started them ({@link #carry}).
 */
public final class LogContext {
    /** The MDC key the log pattern prints. */
    public static final String CAMERA = "camera";

    private LogContext() {
    }

    /**
     * Sets the camera on this thread until the returned scope is closed (the previous value back).
     *
     * <pre>{@code
     * try (LogContext.Scope s = LogContext.camera("front-door")) {
     *     recorder.start(); // its lines, and its threads' lines, name the camera
     * }
     * }</pre>
     */
    public static Scope camera(String name) {
        String before = MDC.get(CAMERA);
        MDC.put(CAMERA, name);
        return () -> {
            if (before == null) {
                MDC.remove(CAMERA);
            } else {
                MDC.put(CAMERA, before);
            }
        };
    }

    /** {@code task}, run with the logging context this thread has now: for a thread a service starts. */
    public static Runnable carry(Runnable task) {
        Map<String, String> context = MDC.getCopyOfContextMap();
        if (context == null || context.isEmpty()) {
            return task;
        }
        return () -> {
            MDC.setContextMap(context);
            task.run();
        };
    }

    /** A scope whose close cannot fail. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
