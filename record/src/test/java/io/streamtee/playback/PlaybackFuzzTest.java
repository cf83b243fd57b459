package io.streamtee.playback;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.streamtee.config.ConfigException;
import io.streamtee.record.TestIndex;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.AfterAll;

/**
 * Jazzer fuzz tests of the playback API's time parameters ({@code from=}, {@code to=}): the parser alone, and the
 * whole request path of a served (empty) recording directory. In a plain {@code mvn test} each method replays the
 * files in {@code src/test/resources/io/streamtee/playback/PlaybackFuzzTestInputs/<method>/}; with
 * {@code JAZZER_FUZZ=1} one of them fuzzes ({@code bench/fuzz.sh}).
 */
class PlaybackFuzzTest {
    /** Jazzer's SSRF detector flags every connection while fuzzing: the test's own, to its loopback server, pass. */
    private static final BiPredicate<String, Integer> LOOPBACK =
            (host, port) -> host.equals("127.0.0.1") || host.equals("localhost");
    /** The "now" of the time parser: 2026-12-01T00:00:00Z. */
    private static final long NOW = 1_796_083_200_000L;

    private static Path dir;
    private static Connection index;
    private static PlaybackServer server;
    private static HttpClient http;

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (index != null) {
            index.close();
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * A time parameter of arbitrary text (the input as UTF-8): a time in milliseconds, or a one-line
     * {@link ConfigException} naming the parameter, never another exception.
     */
    @FuzzTest
    void timeParam(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        try {
            TimeParam.parse("from", text, NOW);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith("from: ").doesNotContain("\n", "\r");
        }
    }

    /**
     * The listing and the clip download with arbitrary {@code from} and {@code to} (the input as UTF-8 lines:
     * from, to, and a third line for the clip instead of the listing; URL-encoded as a browser would), through the
     * running server: 400 or 404 with a one-line JSON error, or 200; never a 500.
     */
    @FuzzTest
    void request(byte[] input) throws Exception {
        BugDetectors.allowNetworkConnections(LOOPBACK); // Jazzer resets it for each input
        startOnce();
        String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", 3);
        String from = lines[0];
        String to = lines.length > 1 ? lines[1] : "";
        String path = lines.length > 2 ? "/clip.ts" : "/api/recordings";
        String url = server.url().replaceAll("/$", "") + path + "?camera=cam&from=" + encode(from) + "&to="
                + encode(to);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + " -> " + r.body()).isIn(200, 400, 404);
        if (r.statusCode() != 200) {
            assertThat(r.body()).as(url).startsWith("{\"error\":").doesNotContain("\n");
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** A recording directory with one camera and nothing recorded, served on a free loopback port. */
    private static synchronized void startOnce() throws Exception {
        if (server == null) {
            dir = Files.createTempDirectory("playback-fuzz");
            index = TestIndex.open(dir.resolve("cam"));
            server = new PlaybackServer(new Catalog(dir), "127.0.0.1", 0, null, Clock.systemUTC()).start();
            http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        }
    }
}
