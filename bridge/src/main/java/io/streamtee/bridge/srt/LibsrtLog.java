package io.streamtee.bridge.srt;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libsrt's own log lines, routed to SLF4J (logger {@value #LOGGER}) by an upcall given to {@code srt_setloghandler}
 * instead of libsrt's default, stderr. libsrt's errors become warnings; its warnings and notices (a refused caller,
 * a lost peer: the input or output that owns the socket says so once in its own words) become debug lines.
 * Taps ({@link #tap}) see every line as well, with the listening socket it concerns: a listener learns from them
 * that libsrt refused a caller in the handshake, which nothing else reports.
 *
 * <p>Which listener a line concerns: libsrt handles a listener's handshakes on the receiving thread of its UDP port
 * and logs "PASSING request from: ADDR to agent:ID" (ID: the listening socket) before it says what became of the
 * request ("listen ret: 1010 - ERROR:BADSECRET"); the last agent named on a thread is the one its next lines are
 * about.
 */
final class LibsrtLog {
    static final String LOGGER = "io.streamtee.bridge.srt.libsrt";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);
    private static final CopyOnWriteArrayList<Consumer<Line>> TAPS = new CopyOnWriteArrayList<>();
    private static final Pattern AGENT = Pattern.compile("request from: \\S+ to agent:(\\d+)");
    private static volatile boolean off;
    private static final ThreadLocal<int[]> LAST_AGENT = ThreadLocal.withInitial(() -> new int[] {-1});

    /**
     * One libsrt log line.
     *
     * @param agent the listening socket the last handshake line on this thread named, or -1
     * @param text  the line, trimmed
     */
    record Line(int agent, String text) {
    }

    private LibsrtLog() {
    }

    static void install(Libsrt srt) {
        MemorySegment upcall = Linker.nativeLinker().upcallStub(
                handle(),
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS), Arena.global());
        srt.callObject(srt.setlogflags, Libsrt.SRT_LOGF_DISABLE_TIME | Libsrt.SRT_LOGF_DISABLE_THREADNAME
                | Libsrt.SRT_LOGF_DISABLE_SEVERITY | Libsrt.SRT_LOGF_DISABLE_EOL);
        srt.callObject(srt.setloglevel, Libsrt.LOG_NOTICE);
        srt.callObject(srt.setloghandler, MemorySegment.NULL, upcall);
        // A libsrt thread that ran this upcall is attached to the JVM and detaches when it ends. At exit, libsrt's
        // own destructor joins its threads after the JVM is gone: the detach waits for the JVM forever, and the
        // process never ends. So libsrt stops its threads (srt_cleanup) while the JVM still runs, at shutdown.
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("libsrt-cleanup").unstarted(() -> {
            off = true;
            srt.callObject(srt.setloglevel, Libsrt.LOG_CRIT);
            srt.callObject(srt.setloghandler, MemorySegment.NULL, MemorySegment.NULL);
            srt.call(srt.cleanup);
        }));
    }

    private static MethodHandle handle() {
        try {
            return MethodHandles.lookup().findStatic(LibsrtLog.class, "handle", MethodType.methodType(void.class,
                    MemorySegment.class, int.class, MemorySegment.class, int.class, MemorySegment.class,
                    MemorySegment.class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Adds a tap: {@code line} gets every libsrt log line, on libsrt's thread; it must not block. */
    static void tap(Consumer<Line> line) {
        TAPS.add(line);
    }

    static void untap(Consumer<Line> line) {
        TAPS.remove(line);
    }

    /** The upcall: must never throw into libsrt. */
    @SuppressWarnings("unused")
    private static void handle(MemorySegment opaque, int level, MemorySegment file, int line, MemorySegment area,
            MemorySegment message) {
        if (off) {
            return;
        }
        try {
            String text = Libsrt.string(message).strip();
            if (text.startsWith(": ")) {
                text = text.substring(2);
            }
            if (level <= Libsrt.LOG_ERR) {
                log.warn("libsrt: {}", text);
            } else if (level <= Libsrt.LOG_NOTICE) {
                log.debug("libsrt: {}", text);
            } else {
                log.trace("libsrt: {}", text);
            }
            int[] agent = LAST_AGENT.get();
            Matcher m = AGENT.matcher(text);
            if (m.find()) {
                agent[0] = Integer.parseInt(m.group(1));
            }
            Line l = new Line(agent[0], text);
            for (Consumer<Line> t : TAPS) {
                t.accept(l);
            }
        } catch (Throwable t) {
            // nothing may escape into libsrt's thread
        }
    }
}
