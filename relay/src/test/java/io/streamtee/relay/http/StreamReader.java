package io.streamtee.relay.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** A client of {@code GET /streams/{route}} that reads as fast as the data comes, keeping every byte. */
final class StreamReader implements AutoCloseable {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final HttpResponse<InputStream> response;
    private final Thread thread;

    StreamReader(URI stream) throws IOException, InterruptedException {
        response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(stream).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        InputStream in = response.body();
        thread = Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[65536];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    synchronized (bytes) {
                        bytes.write(buf, 0, n);
                    }
                }
            } catch (IOException e) {
                // closed
            }
        });
    }

    HttpResponse<InputStream> response() {
        return response;
    }

    int size() {
        synchronized (bytes) {
            return bytes.size();
        }
    }

    byte[] bytes() {
        synchronized (bytes) {
            return bytes.toByteArray();
        }
    }

    @Override
    public void close() throws Exception {
        response.body().close();
        thread.join(5000);
    }
}
