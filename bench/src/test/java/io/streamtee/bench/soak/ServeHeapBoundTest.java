package io.streamtee.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * serve's heap bound in bin/jvm.sh scales with the cameras of its config (the soak runs serve under exactly it):
 * 128 MB plus 64 MB per camera, 8 cameras' worth when the config cannot be counted; demo's from its --cameras.
 */
class ServeHeapBoundTest {

    @TempDir
    Path dir;

    private long xmx(Path config) throws Exception {
        return ServeProcess.maxHeapMb(ServeProcess.jvmOptions(Soak.findRoot(), config));
    }

    @Test
    void scalesWithTheCamerasOfTheConfig() throws Exception {
        Path one = Files.writeString(dir.resolve("one.yml"), "cameras:\n  front:\n    input: udp://127.0.0.1:0\n");
        Path five = Files.writeString(dir.resolve("five.yml"), """
                # five cameras, one of them in flow style, comments and blank lines between
                web:
                  listen: 127.0.0.1:0
                cameras:
                  # the first
                  a:
                    input: udp://127.0.0.1:0
                    outputs:
                      - udp://127.0.0.1:9000

                  b:
                    input: udp://127.0.0.1:0
                  c: {input: "udp://127.0.0.1:0"}
                  d:
                    input: udp://127.0.0.1:0
                    record: false
                  e:
                    input: udp://127.0.0.1:0
                data: data
                """);
        assertThat(xmx(one)).isEqualTo(128 + 64);
        assertThat(xmx(five)).isEqualTo(128 + 5 * 64);
        Path root = Soak.findRoot();
        for (String form : new String[] {"-c=" + five, "-c" + five, "--config=" + five}) {
            assertThat(ServeProcess.maxHeapMb(ServeProcess.jvmOptions(root, List.of("serve", form)))).as(form)
                    .isEqualTo(128 + 5 * 64);
        }
        assertThat(ServeProcess.maxHeapMb(ServeProcess.jvmOptions(root, List.of("serve", "--config", five.toString(),
                "--seconds", "5")))).isEqualTo(128 + 5 * 64);
    }

    @Test
    void demoCountsItsCamerasOption() throws Exception {
        Path root = Soak.findRoot();
        assertThat(ServeProcess.maxHeapMb(ServeProcess.jvmOptions(root, List.of("demo")))).isEqualTo(128 + 2 * 64);
        assertThat(ServeProcess.maxHeapMb(ServeProcess.jvmOptions(root, List.of("demo", "--cameras", "16"))))
                .isEqualTo(128 + 16 * 64);
        assertThat(ServeProcess.maxHeapMb(ServeProcess.jvmOptions(root, List.of("demo", "--seconds", "5",
                "--cameras=4")))).isEqualTo(128 + 4 * 64);
    }

    @Test
    void aConfigItCannotCountGetsEightCamerasWorth() throws Exception {
        Path flow = Files.writeString(dir.resolve("flow.yml"), "cameras: {a: {input: udp://127.0.0.1:0}}\n");
        assertThat(xmx(flow)).isEqualTo(128 + 8 * 64);
        assertThat(xmx(dir.resolve("missing.yml"))).isEqualTo(128 + 8 * 64);
    }
}
