package io.streamtee.view;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON text messages the viewer's WebSocket sends besides the binary {@link Frame}s (view.html reads them):
 *
 * <pre>
 * {"status":"catch-up","frames":N}           first, always: the next N binary messages are the cached GOP (decode
 *                                              them, show only the last, the live one)
 * {"status":"no-video","message":"..."}      the input's program carries no H.264/H.265 video (or, on the MSE socket,
 *                                              no H.264: MseFeed#noVideoMessage); the page shows message
 * {"status":"video"}                         it carries video again
 * </pre>
 *
 * Stateless and thread-safe.
 */
final class PageMessages {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PageMessages() {
    }

    static String catchUp(int frames) {
        return json("catch-up", "frames", frames);
    }

    static String noVideo(String message) {
        return json("no-video", "message", message);
    }

    static String video() {
        return json("video");
    }

    /** {@code {"status":status, key:value, ...}} from {@code keyValues} (key, value, key, value...). */
    private static String json(String status, Object... keyValues) {
        Map<String, Object> ordered = new LinkedHashMap<>();
        ordered.put("status", status);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            ordered.put((String) keyValues[i], keyValues[i + 1]);
        }
        try {
            return JSON.writeValueAsString(ordered);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
