package io.streamtee.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.cli.Cli;
import io.streamtee.config.ConfigException;
import io.streamtee.relay.config.RelaySettings;
import io.streamtee.relay.config.RouteSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RelayCommandTest {
    private static RelayCommand parse(String... args) {
        RelayCommand cmd = new RelayCommand();
        new CommandLine(cmd).parseArgs(args);
        return cmd;
    }

    @Test
    void flagsMakeOneRoute() {
        RelaySettings s = parse("--listen", "udp://127.0.0.1:8100", "--to", "127.0.0.1:8101", "--to",
                "udp://[::1]:8102", "--name", "frontdoor", "--allow", "10.0.0.7", "--stats-interval", "5s",
                "--workers", "2", "--gso", "off", "--receive-buffer", "4MiB").settings();
        assertThat(s.statsInterval()).isEqualTo(Duration.ofSeconds(5));
        RouteSpec r = s.routes().get(0);
        assertThat(r.name()).isEqualTo("frontdoor");
        assertThat(r.outputs()).hasSize(2);
        assertThat(r.allow()).hasSize(1);
        assertThat(r.workers()).isEqualTo(2);
        assertThat(r.gso()).isEqualTo(RouteSpec.Gso.OFF);
        assertThat(r.receiveBuffer()).isEqualTo(4 << 20);
    }

    @Test
    void errorsNameTheFlag() {
        assertThatThrownBy(() -> parse("--to", "127.0.0.1:1").settings())
                .isInstanceOf(ConfigException.class).hasMessage("--listen: missing (or give --config FILE)");
        assertThatThrownBy(() -> parse("--listen", "udp://127.0.0.1:8100").settings())
                .hasMessage("--to: missing (add at least one output, e.g. --to 127.0.0.1:8101)");
        assertThatThrownBy(() -> parse("--listen", "udp://127.0.0.1:8100", "--to", "127.0.0.1:1", "--to", "x").settings())
                .hasMessage("--to #2: bad URL 'x': no port (expected host:port)"); // the second --to, counted from 1
        assertThatThrownBy(() -> parse("--listen", "udp://127.0.0.1:99999", "--to", "127.0.0.1:1").settings())
                .hasMessage("--listen: bad URL 'udp://127.0.0.1:99999': port 99999 is out of range 0-65535");
        assertThatThrownBy(() -> parse("--listen", "udp://127.0.0.1:1", "--to", "127.0.0.1:1", "--allow", "10/40").settings())
                .hasMessage("--allow #1: bad CIDR '10/40': '10' is not an IP address");
        assertThatThrownBy(() -> parse("--listen", "udp://127.0.0.1:1", "--to", "127.0.0.1:1", "--gso", "yes").settings())
                .hasMessage("--gso: 'yes' is not one of auto, on, off");
        assertThatThrownBy(() -> parse("--listen", "udp://127.0.0.1:1", "--to", "127.0.0.1:1", "--stats-interval", "x").settings())
                .hasMessage("--stats-interval: 'x' is not a duration (examples: 500ms, 10s, 5m, 2h, 7d)");
    }

    @Test
    void apiFlags() {
        RelaySettings s = parse("--listen", "udp://127.0.0.1:1", "--to", "127.0.0.1:2", "--api", "127.0.0.1:0").settings();
        assertThat(s.api().listen().getAddress().isLoopbackAddress()).isTrue();
        assertThat(s.api().tokenRequired()).isFalse();
        assertThatThrownBy(() -> parse("--listen", "udp://127.0.0.1:1", "--to", "127.0.0.1:2", "--api", "0.0.0.0:8088")
                .settings()).hasMessage("--api-token: required when the API listens on 0.0.0.0:8088, which is not a"
                        + " loopback address (or set STREAMTEE_API_TOKEN)");
        assertThatThrownBy(() -> parse("--listen", "udp://127.0.0.1:1", "--to", "127.0.0.1:2", "--api", "nowhere")
                .settings()).hasMessage("--api: bad address 'nowhere': no port (expected host:port)");
        assertThat(parse("--listen", "udp://127.0.0.1:1", "--to", "127.0.0.1:2", "--api", "0.0.0.0:8088",
                "--api-token", "0123456789abcdefXYZ").settings().api().tokenRequired()).isTrue();
    }

    @Test
    void configFileOrFlagsNotBoth(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("streamtee.yml");
        Files.writeString(file, "routes:\n  a:\n    input: udp://127.0.0.1:0\n    outputs: [127.0.0.1:9]\n");
        RelaySettings s = parse("--config", file.toString(), "--stats-interval", "0").settings();
        assertThat(s.routes()).extracting(RouteSpec::name).containsExactly("a");
        assertThat(s.statsInterval()).isZero();
        assertThatThrownBy(() -> parse("--config", file.toString(), "--to", "127.0.0.1:1").settings())
                .hasMessage("--config: give routes either in the file or with --listen/--to, not both");
    }

    @Test
    void badConfigExitsWithUsageCodeAndOneLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yml");
        Files.writeString(file, "routes:\n  a:\n    input: udp://127.0.0.1:0\n    outptus: [127.0.0.1:9]\n");
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new RelayCommand());
        cl.setErr(new PrintWriter(err));
        int code = Cli.run(new RelayCommand(), "--config", file.toString());
        // Cli.run prints to the real stderr; check the code here and the message format through the exception.
        assertThat(code).isEqualTo(Cli.EXIT_USAGE);
        assertThatThrownBy(() -> parse("--config", file.toString()).settings())
                .hasMessage(file + ": routes.a.outptus: unknown key (known: allow, gso, input, outputs, receiveBuffer,"
                        + " sendBuffer, workers)");
    }
}
