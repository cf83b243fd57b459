package io.streamtee.analyze.event;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends each event to a file as one line of JSON (JSON Lines: {@code jq}, {@code grep} and any log shipper read
 * it), written through to the file at once so a crash loses nothing delivered. The file is opened for appending, so
 * a restart adds to what is there.
 */
public final class JsonLinesSink implements EventSink {
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private OutputStream out;

    public JsonLinesSink(Path file) {
        this.file = file;
    }

    @Override
    public String name() {
        return "file:" + file;
    }

    @Override
    public void deliver(Event event) throws IOException {
        if (out == null) {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE);
        }
        byte[] line = (JSON.writeValueAsString(event) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            out.write(line);
            out.flush();
        } catch (IOException e) {
            close(); // open again on the next try
            throw e;
        }
    }

    @Override
    public void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                // what was written was flushed already
            }
            out = null;
        }
    }
}
