package io.streamtee.bridge.srt;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * Downcalls into Debian's shared libsrt 1.5 ({@code libsrt-openssl.so.1.5}, {@code libsrt-gnutls.so.1.5} or
 * {@code libsrt.so.1.5}, the first found) through the FFM API. Constants and signatures as in libsrt 1.5's
 * {@code srt.h}; {@code LibsrtHeaderTest} checks them against the header when it is there. Loaded once, on first use;
 * {@link #load()} throws {@link LibsrtMissing} with one line naming the Debian package when no libsrt is found.
 * Every method is a thin call: an {@code int} result of {@value #ERROR} means failure, the reason in
 * {@link #lastError()} (per thread, as libsrt keeps it).
 */
public final class Libsrt {
    static final List<String> SONAMES = List.of("libsrt-openssl.so.1.5", "libsrt-gnutls.so.1.5", "libsrt.so.1.5");

    static final int ERROR = -1;
    static final int INVALID_SOCK = -1;

    // SRT_SOCKOPT
    static final int SRTO_SNDSYN = 1;
    static final int SRTO_RCVSYN = 2;
    static final int SRTO_LINGER = 7;
    static final int SRTO_RENDEZVOUS = 12;
    static final int SRTO_SNDTIMEO = 13;
    static final int SRTO_RCVTIMEO = 14;
    static final int SRTO_REUSEADDR = 15;
    static final int SRTO_LATENCY = 23;
    static final int SRTO_PASSPHRASE = 26;
    static final int SRTO_CONNTIMEO = 36;
    static final int SRTO_RCVLATENCY = 43;
    static final int SRTO_PEERLATENCY = 44;
    static final int SRTO_STREAMID = 46;
    static final int SRTO_PAYLOADSIZE = 49;
    static final int SRTO_TRANSTYPE = 50;
    static final int SRTO_ENFORCEDENCRYPTION = 53;
    static final int SRTO_PEERIDLETIMEO = 55;

    static final int SRTT_LIVE = 0;

    // SRT_SOCKSTATUS
    static final int SRTS_CONNECTED = 5;
    static final int SRTS_BROKEN = 6;
    static final int SRTS_CLOSING = 7;
    static final int SRTS_CLOSED = 8;
    static final int SRTS_NONEXIST = 9;

    // SRT_REJECT_REASON
    static final int SRT_REJ_UNKNOWN = 0;
    static final int SRT_REJ_PEER = 2;
    static final int SRT_REJ_BADSECRET = 10;
    static final int SRT_REJ_UNSECURE = 11;
    static final int SRT_REJ_TIMEOUT = 16;

    // SRT_ERRNO
    static final int SRT_ENOSERVER = 1001;
    static final int SRT_ECONNREJ = 1002;
    static final int SRT_ECONNLOST = 2001;
    static final int SRT_ENOCONN = 2002;
    static final int SRT_EINVSOCK = 5004;
    static final int SRT_EASYNCSND = 6001;
    static final int SRT_EASYNCRCV = 6002;
    static final int SRT_ETIMEOUT = 6003;

    // SRT_EPOLL_OPT
    static final int SRT_EPOLL_IN = 0x1;
    static final int SRT_EPOLL_OUT = 0x4;
    static final int SRT_EPOLL_ERR = 0x8;

    // syslog levels, as libsrt's log handler gets them
    static final int LOG_CRIT = 2;
    static final int LOG_ERR = 3;
    static final int LOG_WARNING = 4;
    static final int LOG_NOTICE = 5;
    static final int LOG_DEBUG = 7;
    static final int SRT_LOGF_DISABLE_TIME = 1;
    static final int SRT_LOGF_DISABLE_THREADNAME = 2;
    static final int SRT_LOGF_DISABLE_SEVERITY = 4;
    static final int SRT_LOGF_DISABLE_EOL = 8;

    /** Thrown by {@link #load()} when no libsrt 1.5 is installed. */
    public static final class LibsrtMissing extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LibsrtMissing(String message) {
            super(message);
        }
    }

    private static volatile Libsrt instance;

    final String soname;
    final MethodHandle startup;
    final MethodHandle createSocket;
    final MethodHandle setsockflag;
    final MethodHandle getsockflag;
    final MethodHandle bind;
    final MethodHandle listen;
    final MethodHandle accept;
    final MethodHandle connect;
    final MethodHandle rendezvous;
    final MethodHandle close;
    final MethodHandle recvmsg;
    final MethodHandle sendmsg;
    final MethodHandle getlasterror;
    final MethodHandle getlasterrorStr;
    final MethodHandle bstats;
    final MethodHandle getsockstate;
    final MethodHandle epollCreate;
    final MethodHandle epollAddUsock;
    final MethodHandle epollUwait;
    final MethodHandle epollRelease;
    final MethodHandle getsndbuffer;
    final MethodHandle getrejectreason;
    final MethodHandle rejectreasonStr;
    final MethodHandle setloghandler;
    final MethodHandle setloglevel;
    final MethodHandle setlogflags;
    final MethodHandle getversion;
    final MethodHandle cleanup;
    final MethodHandle getsockname;

    private Libsrt(String soname, SymbolLookup lib) {
        this.soname = soname;
        Linker l = Linker.nativeLinker();
        startup = h(l, lib, "srt_startup", FunctionDescriptor.of(JAVA_INT));
        createSocket = h(l, lib, "srt_create_socket", FunctionDescriptor.of(JAVA_INT));
        setsockflag = h(l, lib, "srt_setsockflag", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS,
                JAVA_INT));
        getsockflag = h(l, lib, "srt_getsockflag", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS,
                ADDRESS));
        bind = h(l, lib, "srt_bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        listen = h(l, lib, "srt_listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        accept = h(l, lib, "srt_accept", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        connect = h(l, lib, "srt_connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        rendezvous = h(l, lib, "srt_rendezvous", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT,
                ADDRESS, JAVA_INT));
        close = h(l, lib, "srt_close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        recvmsg = h(l, lib, "srt_recvmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        sendmsg = h(l, lib, "srt_sendmsg", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
                JAVA_INT));
        getlasterror = h(l, lib, "srt_getlasterror", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        getlasterrorStr = h(l, lib, "srt_getlasterror_str", FunctionDescriptor.of(ADDRESS));
        bstats = h(l, lib, "srt_bstats", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        getsockstate = h(l, lib, "srt_getsockstate", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        epollCreate = h(l, lib, "srt_epoll_create", FunctionDescriptor.of(JAVA_INT));
        epollAddUsock = h(l, lib, "srt_epoll_add_usock", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS));
        epollUwait = h(l, lib, "srt_epoll_uwait", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT,
                JAVA_LONG));
        epollRelease = h(l, lib, "srt_epoll_release", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        getsndbuffer = h(l, lib, "srt_getsndbuffer", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        getrejectreason = h(l, lib, "srt_getrejectreason", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        rejectreasonStr = h(l, lib, "srt_rejectreason_str", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        setloghandler = h(l, lib, "srt_setloghandler", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        setloglevel = h(l, lib, "srt_setloglevel", FunctionDescriptor.ofVoid(JAVA_INT));
        setlogflags = h(l, lib, "srt_setlogflags", FunctionDescriptor.ofVoid(JAVA_INT));
        getversion = h(l, lib, "srt_getversion", FunctionDescriptor.of(JAVA_INT));
        cleanup = h(l, lib, "srt_cleanup", FunctionDescriptor.of(JAVA_INT));
        getsockname = h(l, lib, "srt_getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    private static MethodHandle h(Linker linker, SymbolLookup lib, String name, FunctionDescriptor d) {
        MemorySegment symbol = lib.find(name).orElseThrow(() -> new LibsrtMissing("libsrt has no " + name
                + ": streamtee needs libsrt 1.5 (apt install libsrt1.5-openssl)"));
        return linker.downcallHandle(symbol, d);
    }

    /** libsrt, loaded and started ({@code srt_startup}, log lines to SLF4J) on the first call. */
    public static Libsrt load() {
        Libsrt l = instance;
        if (l == null) {
            synchronized (Libsrt.class) {
                l = instance;
                if (l == null) {
                    l = open();
                    l.call(l.startup);
                    LibsrtLog.install(l);
                    instance = l;
                }
            }
        }
        return l;
    }

    private static Libsrt open() {
        for (String soname : SONAMES) {
            SymbolLookup lib;
            try {
                lib = SymbolLookup.libraryLookup(soname, Arena.global());
            } catch (IllegalArgumentException e) {
                continue;
            }
            return new Libsrt(soname, lib);
        }
        throw new LibsrtMissing("srt:// needs libsrt 1.5 (" + String.join(", ", SONAMES)
                + "): none found; install it with: apt install libsrt1.5-openssl");
    }

    /** libsrt's version as {@code major.minor.patch}. */
    String version() {
        int v = call(getversion);
        return (v >> 16 & 0xff) + "." + (v >> 8 & 0xff) + "." + (v & 0xff);
    }

    /** Calls an {@code int}-returning function; checked exceptions of invokeExact become unchecked. */
    int call(MethodHandle h, Object... args) {
        try {
            return (int) h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Calls a function that returns a pointer or nothing. */
    Object callObject(MethodHandle h, Object... args) {
        try {
            return h.invokeWithArguments(args);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The calling thread's last libsrt error code (an {@code SRT_ERRNO}). */
    int lastError() {
        return call(getlasterror, MemorySegment.NULL);
    }

    /** The calling thread's last libsrt error, as libsrt words it. */
    String lastErrorText() {
        return string((MemorySegment) callObject(getlasterrorStr));
    }

    /** libsrt's words for a reject reason ({@code SRT_REJ_*}). */
    String rejectReasonText(int reason) {
        return string((MemorySegment) callObject(rejectreasonStr, reason));
    }

    static String string(MemorySegment cString) {
        return cString.equals(MemorySegment.NULL) ? "" : cString.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
