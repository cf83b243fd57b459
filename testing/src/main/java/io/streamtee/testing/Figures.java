package io.streamtee.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Measured figures of the reliability suite, for {@code docs/reliability.md}.
 *
 * <p>A test that shows a promise records what it measured (a recovery time, what was lost) under a stable id:
 * <pre>{@code
 * Figures.of("fault.tcp-stall").put("recovery_ms", ms).put("lost", lost).record(FaultsTest.class, "tcpStall");
 * }</pre>
 * Each record appends one JSON line ({@code {"id":..,"test":..,"at":..,"values":{..}}}) to
 * {@code target/figures/figures.jsonl} of the module whose tests run (the system property
 * {@code streamtee.figures.dir} names another directory). {@code bench/reliability.py} gathers every module's lines
 * and fills the figures into {@code docs/reliability.md}; the newest line of an id wins. Values are numbers,
 * booleans or strings. Recording never fails a test: a figure that cannot be written is reported on stderr.
 */
public final class Figures {

    private final String id;
    private final Map<String, Object> values = new LinkedHashMap<>();

    private Figures(String id) {
        if (!id.matches("[a-z0-9][a-z0-9.\\-]*")) {
            throw new IllegalArgumentException("figure id must be lower-case words with '.' and '-': " + id);
        }
        this.id = id;
    }

    /** Starts the figures of one promise, e.g. {@code fault.disk-full}. */
    public static Figures of(String id) {
        return new Figures(id);
    }

    /** Adds one measured value; the key is a lower-case word such as {@code recovery_ms} or {@code lost}. */
    public Figures put(String key, Object value) {
        if (!key.matches("[a-z0-9_]+")) {
            throw new IllegalArgumentException("figure key must be lower-case with '_': " + key);
        }
        if (!(value instanceof Number || value instanceof Boolean || value instanceof String)) {
            throw new IllegalArgumentException("figure " + key + " must be a number, boolean or string: " + value);
        }
        values.put(key, value);
        return this;
    }

    /** Appends the figures, naming the test that measured them; returns the JSON line written. */
    public String record(Class<?> test, String method) {
        StringBuilder json = new StringBuilder(128).append("{\"id\":").append(quote(id))
                .append(",\"test\":").append(quote(test.getSimpleName() + "#" + method))
                .append(",\"at\":").append(quote(Instant.now().toString()))
                .append(",\"values\":{");
        String comma = "";
        for (Map.Entry<String, Object> e : values.entrySet()) {
            json.append(comma).append(quote(e.getKey())).append(':');
            Object v = e.getValue();
            json.append(v instanceof String s ? quote(s) : String.valueOf(v));
            comma = ",";
        }
        String line = json.append("}}").toString();
        Path dir = Path.of(System.getProperty("streamtee.figures.dir", "target/figures"));
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("figures.jsonl"), line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException | UncheckedIOException e) {
            System.err.println("figure " + id + " not written to " + dir + ": " + e);
        }
        return line;
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
