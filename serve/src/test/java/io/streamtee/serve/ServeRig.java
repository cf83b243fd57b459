package io.streamtee.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamtee.analyze.ClipLinks;
import io.streamtee.camera.Camera;
import io.streamtee.camera.CameraConfig;
import io.streamtee.camera.Destination;
import io.streamtee.relay.Route;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A {@code serve} on loopback for tests: its web server first (port 0), then the cameras of a test config (inputs
 * {@code udp://127.0.0.1:0}, data in a temporary directory, 1 s segments), fed by simulated cameras
 * ({@link #feed}). Closes everything it started, newest first.
 */
final class ServeRig implements AutoCloseable {
    private static final UnaryOperator<String> NO_ENV = name -> null;
    static final ObjectMapper JSON = new ObjectMapper();

    final Path data;
    final Serve serve;
    final ServeWeb web;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    ServeRig(Path data, String... cameras) {
        this(null, data, cameras);
    }

    /** @param token the web server's token, or null for none */
    ServeRig(String token, Path data, String... cameras) {
        this(data, configWithToken(data, token, cameras));
    }

    /** A rig running {@code config} (made with {@link #parse}). */
    ServeRig(Path data, ServeConfig config) {
        this.data = data;
        this.serve = new Serve(config);
        this.web = new ServeWeb(serve, config.web()).start();
        try {
            serve.start(ClipLinks.parse("web.listen", web.url()));
        } catch (RuntimeException e) {
            web.close();
            throw e;
        }
    }

    /** The test config: every camera with only an input (record, analyze, view on), 1 s segments. */
    static ServeConfig config(Path data, String... cameras) {
        return configWithToken(data, null, cameras);
    }

    /** The config {@code yaml}, whose {@code $DATA} is the data directory. */
    static ServeConfig parse(Path data, String yaml) {
        return ServeYaml.parse("serve-test.yml", yaml.replace("$DATA", data.toString()), NO_ENV);
    }

    static ServeConfig configWithToken(Path data, String token, String... cameras) {
        StringBuilder yaml = new StringBuilder("web: {listen: 127.0.0.1:0" + (token == null ? "" : ", token: " + token)
                + "}\ndata: " + data + "\ncameras:\n");
        for (String c : cameras) {
            yaml.append("  ").append(c).append(":\n    input: udp://127.0.0.1:0\n    record: {segment: 1s}\n");
        }
        return ServeYaml.parse("serve-test.yml", yaml.toString(), NO_ENV);
    }

    /** A pattern camera of {@code width}x{@code height} at 20 fps, a visitor every {@code visitEvery}, for a minute. */
    Camera feed(String camera, int width, int height, Duration visitEvery) throws java.io.IOException {
        Route route = serve.route(camera);
        assertThat(route).as("route %s", camera).isNotNull();
        CameraConfig config = CameraConfig.pattern(Destination.of(route.localAddress()))
                .withSource(CameraConfig.Pattern.DEFAULT.withSize(width, height).withFps(20).withGop(20)
                        .withBitrate(800_000).withVisitor(visitEvery, Duration.ofMillis(1500)))
                .withDuration(Duration.ofSeconds(90));
        Camera cam = new Camera(config).start();
        open.add(cam);
        return cam;
    }

    /** Closes the simulated camera (it stops sending). */
    void stop(Camera cam) throws Exception {
        open.remove(cam);
        cam.close();
    }

    String url(String path) {
        return web.url() + path.replaceFirst("^/", "");
    }

    HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    int status(String path) throws Exception {
        return get(path).statusCode();
    }

    String text(String path) throws Exception {
        HttpResponse<byte[]> r = get(path);
        assertThat(r.statusCode()).as("GET %s: %s", path, new String(r.body())).isEqualTo(200);
        return new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    JsonNode json(String path) throws Exception {
        return JSON.readTree(text(path));
    }

    HttpClient http() {
        return http;
    }

    @Override
    public void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        serve.close();
        web.close();
        http.close();
    }
}
