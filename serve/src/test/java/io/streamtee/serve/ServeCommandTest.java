package io.streamtee.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.streamtee.config.ConfigException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code streamtee serve -c FILE} in this JVM: it runs the file, follows its changes, and a bad change keeps what runs. */
@Timeout(60)
class ServeCommandTest {
    @TempDir
    Path tmp;

    private String config(String cameras) {
        return "web: { listen: 127.0.0.1:0 }\ndata: " + tmp.resolve("data") + "\ncameras:\n" + cameras;
    }

    private static final String ONE = "  one: { input: udp://127.0.0.1:0, analyze: false }\n";
    private static final String TWO = "  two: { input: udp://127.0.0.1:0, record: false, analyze: false }\n";

    @Test
    void savingTheFileAppliesItAndABadFileLeavesTheRunningConfig() throws Exception {
        Path file = tmp.resolve("serve.yml");
        Files.writeString(file, config(ONE));
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs("-c", file.toString());
        cmd.stop = new CountDownLatch(1);
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            Future<Integer> exit = runner.submit(cmd::call);
            await().atMost(Duration.ofSeconds(30)).until(() -> cmd.running != null);
            HttpClient http = HttpClient.newHttpClient();
            String api = cmd.web.url() + "api/cameras";
            assertThat(http.send(HttpRequest.newBuilder(URI.create(api)).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).contains("\"name\":\"one\"");

            // a typo: refused in one line, nothing changes
            CameraServices one = cmd.running.camera("one");
            Files.writeString(file, config(ONE + TWO.replace("input", "inptu")));
            await().atMost(Duration.ofSeconds(20)).until(() -> cmd.reloadsRefused.get() == 1);
            assertThat(cmd.reloadsApplied.get()).isZero();
            assertThat(cmd.running.cameras()).containsExactly(one);
            assertThatThrownBy(() -> ServeYaml.load(file)).isInstanceOf(ConfigException.class)
                    .hasMessage(file + ": cameras.two.inptu: unknown key (did you mean input?)");
            // then a good file: camera two starts, camera one runs on as it was
            Files.writeString(file, config(ONE + TWO));
            await().atMost(Duration.ofSeconds(20)).until(() -> cmd.reloadsApplied.get() == 1);
            assertThat(cmd.running.camera("two")).isNotNull();
            assertThat(cmd.running.camera("one")).isSameAs(one);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(api)).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).contains("\"name\":\"one\"", "\"name\":\"two\"");

            cmd.stop.countDown();
            assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
        } finally {
            runner.shutdownNow();
        }
    }

    @Test
    void aMissingFileIsOneLine() {
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs("-c", tmp.resolve("nope.yml").toString());
        assertThatThrownBy(cmd::call).isInstanceOf(ConfigException.class)
                .hasMessage(tmp.resolve("nope.yml") + ": no such file");
    }
}
