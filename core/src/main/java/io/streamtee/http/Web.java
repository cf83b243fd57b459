package io.streamtee.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What streamtee's web servers (the relay's control server, the recorder's playback) answer alike: JSON bodies,
 * errors as {@code {"error":"one line"}} thrown as {@link NotFound} or {@link BadRequest}, pages from the class path,
 * and a bind failure said in one line.
 */
public final class Web {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Web() {
    }

    /** Answers {@code status} with {@code body} as JSON. */
    public static void json(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code {"error": first line of message}}. */
    public static Map<String, String> error(String message) {
        return Map.of("error", message == null ? "" : message.lines().findFirst().orElse(""));
    }

    /** A text resource beside {@code owner} (a page), read whole. */
    public static String resource(Class<?> owner, String name) {
        try (InputStream in = owner.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + owner.getPackageName().replace('.', '/') + "/"
                        + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Why a server could not start, in one line: the root cause, with a hint when the port is taken.
     *
     * @param who what else may hold the port, e.g. "another relay"
     */
    public static String bindFailure(Throwable e, String who) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof java.net.BindException && String.valueOf(e.getMessage()).contains("in use")) {
            return "address already in use (is " + who + " or program listening on this port?)";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** 404 with a one-line message. */
    public static final class NotFound extends RuntimeException {
        public NotFound(String message) {
            super(message, null, false, false);
        }
    }

    /** 400 with a one-line message. */
    public static final class BadRequest extends RuntimeException {
        public BadRequest(String message) {
            super(message, null, false, false);
        }
    }
}
