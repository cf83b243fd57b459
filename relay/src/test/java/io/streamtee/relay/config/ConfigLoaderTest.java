package io.streamtee.relay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.config.Cidr;
import io.streamtee.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static RelaySettings parse(String yaml) {
        return ConfigLoader.parse("streamtee.yml", yaml);
    }

    @Test
    void fullRoute() {
        RelaySettings s = parse("""
                statsInterval: 10s
                transport: nio
                routes:
                  frontdoor:
                    input: udp://0.0.0.0:8100
                    allow: [10.0.0.7/32, 192.168.0.0/16]
                    outputs:
                      - udp://127.0.0.1:8101
                      - 127.0.0.1:8102
                      - udp://239.2.2.2:5000?ttl=4
                    receiveBuffer: 16MiB
                    sendBuffer: 256KiB
                    workers: 2
                    gso: off
                  backyard:
                    input: udp://[::]:8200
                    outputs: ["udp://[::1]:8201"]
                """);
        assertThat(s.statsInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.transport()).isEqualTo(RelaySettings.Transport.NIO);
        assertThat(s.routes()).extracting(RouteSpec::name).containsExactly("frontdoor", "backyard");
        RouteSpec r = s.routes().get(0);
        assertThat(r.input().address().getPort()).isEqualTo(8100);
        assertThat(r.allow()).extracting(Cidr::text).containsExactly("10.0.0.7/32", "192.168.0.0/16");
        assertThat(r.outputs()).hasSize(3);
        assertThat(r.receiveBuffer()).isEqualTo(16 << 20);
        assertThat(r.sendBuffer()).isEqualTo(256 << 10);
        assertThat(r.workers()).isEqualTo(2);
        assertThat(r.gso()).isEqualTo(RouteSpec.Gso.OFF);
        RouteSpec b = s.routes().get(1);
        assertThat(b.gso()).isEqualTo(RouteSpec.Gso.AUTO);
        assertThat(b.receiveBuffer()).isEqualTo(RouteSpec.DEFAULT_RECEIVE_BUFFER);
        assertThat(b.workers()).isEqualTo(1);
    }

    @Test
    void unknownKeyIsNamedWithTheKnownOnes() {
        assertThatThrownBy(() -> parse("""
                routes:
                  frontdoor:
                    input: udp://0.0.0.0:8100
                    outptus: [127.0.0.1:8101]
                """)).isInstanceOf(ConfigException.class).hasMessage("streamtee.yml: routes.frontdoor.outptus:"
                + " unknown key (known: allow, gso, input, outputs, receiveBuffer, sendBuffer, workers)");
    }

    @Test
    void unknownTopLevelKey() {
        assertThatThrownBy(() -> parse("route: {}\n"))
                .hasMessageStartingWith("streamtee.yml: route: unknown key (known: api, routes, statsInterval, transport)");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> parse("""
                routes:
                  cam:
                    input: udp://0.0.0.0:8100
                    outputs: [127.0.0.1:8101, "127.0.0.1:99999"]
                """)).hasMessage("streamtee.yml: routes.cam.outputs[1]: bad URL '127.0.0.1:99999': port 99999 is out of range 1-65535");
        assertThatThrownBy(() -> parse("""
                routes:
                  cam:
                    input: udp://0.0.0.0:8100
                    allow: [10.0.0.0/99]
                    outputs: [127.0.0.1:8101]
                """)).hasMessage("streamtee.yml: routes.cam.allow[0]: bad CIDR '10.0.0.0/99': prefix length must be 0-32");
        assertThatThrownBy(() -> parse("""
                routes:
                  cam:
                    input: udp://0.0.0.0:8100
                    outputs: [127.0.0.1:8101]
                    workers: many
                """)).hasMessage("streamtee.yml: routes.cam.workers: expected a whole number");
        assertThatThrownBy(() -> parse("""
                routes:
                  cam:
                    input: udp://0.0.0.0:8100
                    outputs: [127.0.0.1:8101]
                    gso: sometimes
                """)).hasMessage("streamtee.yml: routes.cam.gso: 'sometimes' is not one of auto, on, off");
        assertThatThrownBy(() -> parse("""
                statsInterval: often
                routes:
                  cam: {input: "udp://0.0.0.0:8100", outputs: ["127.0.0.1:8101"]}
                """)).hasMessage("streamtee.yml: statsInterval: 'often' is not a duration (examples: 500ms, 10s, 5m, 2h, 7d)");
    }

    @Test
    void urlsTakeVariablesFromTheEnvironmentAndAnUnsetOneIsNamedWithItsKey() {
        java.util.function.UnaryOperator<String> env = java.util.Map.of("CAM_PASSWORD", "s3cr@t")::get;
        RouteSpec r = ConfigLoader.checkRoute("porch", new RouteConfig("rtsp://admin:${CAM_PASSWORD}@127.0.0.1/s",
                null, java.util.List.of("udp://127.0.0.1:8101"), null, null, null, null), env);
        assertThat(r.input().url()).isEqualTo("rtsp://admin:s3cr%40t@127.0.0.1/s");
        assertThatThrownBy(() -> ConfigLoader.checkRoute("porch", RouteConfig.of("udp://0.0.0.0:8100", null,
                java.util.List.of("udp://${COPY_HOST}:5000")), env))
                .hasMessage("routes.porch.outputs[0]: ${COPY_HOST}: the environment variable COPY_HOST is not set");
    }

    @Test
    void multicastInputTakesOneWorker() {
        assertThatThrownBy(() -> parse("""
                routes:
                  cam: {input: "udp://239.1.1.1:5000", outputs: ["127.0.0.1:8101"], workers: 2}
                """)).hasMessage("streamtee.yml: routes.cam.workers: a multicast input takes workers: 1 (each worker"
                + " would get every datagram)");
    }

    @Test
    void missingPieces() {
        assertThatThrownBy(() -> parse("routes: {}\n"))
                .hasMessage("streamtee.yml: routes: no routes (at least one route with an input and outputs is needed)");
        assertThatThrownBy(() -> parse("routes:\n  cam:\n    outputs: [127.0.0.1:8101]\n"))
                .hasMessage("streamtee.yml: routes.cam.input: missing (e.g. udp://0.0.0.0:8100)");
        assertThatThrownBy(() -> parse("routes:\n  cam:\n    input: udp://0.0.0.0:8100\n"))
                .hasMessage("streamtee.yml: routes.cam.outputs: no outputs (add at least one, e.g. udp://127.0.0.1:8101)");
        assertThatThrownBy(() -> parse("routes:\n  cam:\n    input: udp://0.0.0.0:8100\n    outputs: [0.0.0.0:5]\n"))
                .hasMessage("streamtee.yml: routes.cam.outputs[0]: '0.0.0.0:5' is a wildcard address, not a destination");
        assertThatThrownBy(() -> parse("routes:\n  'front door':\n    input: udp://0.0.0.0:8100\n    outputs: [127.0.0.1:1]\n"))
                .hasMessage("streamtee.yml: routes.front door: route name 'front door' must be 1-64 letters, digits, '.', '_' or '-'");
    }

    @Test
    void apiSection() {
        RelaySettings s = parse("""
                api: {listen: "127.0.0.1:8088"}
                routes:
                  cam: {input: "udp://0.0.0.0:8100", outputs: ["127.0.0.1:8101"]}
                """);
        assertThat(s.api().listen().getPort()).isEqualTo(8088);
        assertThat(s.api().tokenRequired()).isFalse();
        assertThatThrownBy(() -> parse("""
                api: {listen: "0.0.0.0:8088"}
                routes:
                  cam: {input: "udp://0.0.0.0:8100", outputs: ["127.0.0.1:8101"]}
                """)).hasMessage("streamtee.yml: api.token: required when the API listens on 0.0.0.0:8088, which is"
                + " not a loopback address (or set STREAMTEE_API_TOKEN)");
        assertThatThrownBy(() -> parse("""
                api: {listen: "0.0.0.0:8088", token: "short"}
                routes:
                  cam: {input: "udp://0.0.0.0:8100", outputs: ["127.0.0.1:8101"]}
                """)).hasMessage("streamtee.yml: api.token: too short: use at least 16 characters");
        RelaySettings open = parse("""
                api: {listen: "0.0.0.0:8088", token: "0123456789abcdef0123"}
                routes:
                  cam: {input: "udp://0.0.0.0:8100", outputs: ["127.0.0.1:8101"]}
                """);
        assertThat(open.api().tokenRequired()).isTrue();
    }

    @Test
    void notYaml() {
        assertThatThrownBy(() -> parse("routes:\n\tcam: 1\n"))
                .hasMessageStartingWith("streamtee.yml:2:1: "); // file:line:column, as compilers say it
        assertThatThrownBy(() -> parse("routes: [a, b]\n"))
                .hasMessage("streamtee.yml: routes: expected a mapping (key: value lines)");
        assertThatThrownBy(() -> parse("routes:\n  cam:\n    input: udp://0.0.0.0:1\n    outputs: 127.0.0.1:2\n"))
                .hasMessage("streamtee.yml: routes.cam.outputs: expected a list, e.g. [a, b]");
    }

    @Test
    void brokenYamlSaysFileLineAndColumn() {
        // line 4: a key indented deeper than the one before it, inside a plain value
        assertThatThrownBy(() -> parse("routes:\n  cam:\n    input: udp://0.0.0.0:8100\n      outputs: [a]\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageMatching("streamtee\\.yml:4:\\d+: [^\\n]+")
                .hasMessageNotContaining("line ");
        assertThatThrownBy(() -> parse("routes:\n  cam:\n    input: \"udp://0.0.0.0:8100\n"))
                .hasMessageMatching("streamtee\\.yml:\\d+:\\d+: [^\\n]+");
    }

    @Test
    void fileErrors(@TempDir Path dir) {
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.yml")))
                .hasMessage(dir.resolve("nope.yml") + ": no such file");
    }

    @Test
    void theExampleConfigIsValid() throws Exception {
        Path example = Path.of("..", "streamtee.example.yml");
        assertThat(example).exists();
        RelaySettings s = ConfigLoader.load(example);
        assertThat(s.routes()).isNotEmpty();
        assertThat(Files.readString(example)).contains("receiveBuffer", "sendBuffer", "workers", "gso", "allow",
                "statsInterval", "transport");
    }
}
