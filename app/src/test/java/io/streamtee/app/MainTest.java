package io.streamtee.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamtee.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code streamtee} in this JVM: the help a new user reads first, and the one error form of every command. */
class MainTest {
    private record Result(int exit, String out, String err) {
    }

    /** Runs {@code args} as {@code main} does: with only the command they name, when they name one. */
    private static Result run(String... args) {
        return run(Main.commandLine(args), args);
    }

    private static Result run(Object command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Cli.run(command, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void aCommandRunAloneIsTheOneInTheFullListWithTheSameHelpAndErrors() {
        CommandLine full = Cli.commandLine(new Main());
        List<String> names = full.getSubcommands().keySet().stream().filter(n -> !n.equals("help")).toList();
        assertThat(Main.COMMANDS.keySet()).containsExactlyElementsOf(names);
        for (String name : names) {
            CommandLine alone = Main.commandLine(name);
            assertThat(alone.getSubcommands().keySet()).as(name).containsExactly(name);
            assertThat(alone.getSubcommands().get(name).getCommand().getClass()).as(name)
                    .isEqualTo(full.getSubcommands().get(name).getCommand().getClass());
            Result help = run(name, "--help");
            assertThat(help).as(name + " --help").isEqualTo(run(new Main(), name, "--help"));
            assertThat(help.out()).startsWith("Usage: streamtee " + name + " ");
            assertThat(run(name, "--no-such-option")).as(name + " --no-such-option")
                    .isEqualTo(run(new Main(), name, "--no-such-option"));
        }
        assertThat(Main.commandLine("help").getSubcommands()).containsKeys("relay", "demo", "help");
        assertThat(Main.commandLine().getSubcommands()).containsKeys("relay", "demo", "help");
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s+", " ");
    }

    @Test
    void theCommandListShowsTheFirstSentenceOfEachCommandWhole() {
        Result r = run("--help");
        assertThat(r.exit()).isZero();
        assertThat(oneLine(r.out())).contains(
                "relay Receive UDP datagrams and send each one, byte-identical and in order, to every output.",
                "camera Simulate a camera: send a live synthetic H.264 test pattern (the default) or a looping TS file"
                        + " as UDP datagrams of 7 x 188-byte TS packets, each frame as soon as it is encoded (a file:"
                        + " paced by its PCR).",
                "record Record a UDP MPEG-TS stream, unchanged, into segments that start at a keyframe, with an SQLite"
                        + " index, crash repair and retention by age and size.",
                "serve Run every camera of a config file: the relay, and for each camera its recorder, analyzer and live"
                        + " viewer, with one web page for all of them.",
                "demo Run serve with simulated cameras: each camera's stream goes through the relay to its recorder,"
                        + " its analyzer and the live page, all in one process.",
                "help ");
    }

    @Test
    void examplesStayOnOneLineEach() {
        for (String command : List.of("relay", "camera", "record", "playback")) {
            Result r = run(command, "--help");
            assertThat(r.exit()).isZero();
            List<String> examples = r.out().lines().filter(l -> l.startsWith("  streamtee ")).toList();
            assertThat(examples).as(command + " examples").isNotEmpty();
            // an example wrapped at the terminal width would leave a line that starts mid-command
            String afterExamples = r.out().substring(r.out().indexOf("Examples:"));
            assertThat(afterExamples.lines().skip(1).filter(l -> !l.isBlank()))
                    .as(command + " --help examples:%n%s", afterExamples)
                    .allSatisfy(l -> assertThat(l).matches("  (streamtee|ffplay) .*"));
        }
        assertThat(run("record", "--help").out()).contains(System.lineSeparator()
                + "  streamtee record --listen udp://0.0.0.0:5000 --camera frontdoor --keep 7d --max-size 50GB"
                + System.lineSeparator());
    }

    @Test
    void analyzeIsListedWholeAndItsExamplesStayOnOneLineEach() {
        assertThat(oneLine(run("--help").out())).contains("analyze Watch a UDP MPEG-TS stream for motion and for"
                + " problems with the stream itself, and send each event to files, syslog, webhooks, email, MQTT or a"
                + " database.");
        Result r = run("analyze", "--help");
        assertThat(r.exit()).isZero();
        String afterExamples = r.out().substring(r.out().indexOf("Examples:"));
        assertThat(afterExamples.lines().skip(1).filter(l -> !l.isBlank()).toList())
                .as("analyze --help examples:%n%s", afterExamples).isNotEmpty()
                .allSatisfy(l -> assertThat(l).matches("  streamtee analyze .*"));
    }

    @Test
    void helpIsACommand() {
        Result all = run("help");
        assertThat(all.exit()).as(all.err()).isZero();
        assertThat(all.out()).contains("Usage: streamtee", "relay", "camera", "record", "playback", "demo");
        Result record = run("help", "record");
        assertThat(record.exit()).isZero();
        assertThat(record.out()).contains("Usage: streamtee record", "--listen", "--dir");
    }

    @Test
    void theDemoServesItsCamerasOnOnePageOn8080() {
        Result r = run("demo", "--help");
        assertThat(r.exit()).isZero();
        String help = oneLine(r.out());
        assertThat(help).contains("--cameras=N How many simulated cameras, 1 to 16 (default: 2).",
                "--http=HOST:PORT The web page, the JSON API and /metrics; off loopback it needs STREAMTEE_API_TOKEN"
                        + " (default: 127.0.0.1:8080).");
        assertError(run("demo", "--http", "nope"),
                "streamtee demo: --http: bad address 'nope': no port (expected host:port)");
        assertError(run("demo", "--cameras", "0"), "streamtee demo: --cameras: 1 to 16, not 0");
        Result config = run("demo", "--print-config", "--cameras", "3");
        assertThat(config.exit()).isZero();
        assertThat(config.out()).contains("front-door:", "driveway:", "backyard:", "input: udp://127.0.0.1:0");
    }

    @Test
    void everyCommandSaysItsErrorsTheSameWay() {
        assertError(run("relay", "--listen", "udp://127.0.0.1:0", "--to", "x"), "streamtee relay: --to #1: bad URL 'x': no port (expected host:port)");
        assertError(run("camera", "--to", "127.0.0.1"), "streamtee camera: --to: bad URL '127.0.0.1': no port (expected host:port)");
        // record's and playback's own checks print from their call() bodies, which belong to the record module's
        // owners; what goes through Cli (the command line) has the one form
        Result record = run("record", "--nope");
        assertThat(record.exit()).isEqualTo(Cli.EXIT_USAGE);
        assertThat(record.err()).startsWith("streamtee record: Unknown option: '--nope'");
        assertError(run("demo", "--bitrate", "fast"),
                "streamtee demo: --bitrate: 'fast' is not a bit rate (examples: 4M, 800k, 2500000)");
        Result unknown = run("playback", "--nope");
        assertThat(unknown.exit()).isEqualTo(Cli.EXIT_USAGE);
        assertThat(unknown.err()).startsWith("streamtee playback: Unknown option: '--nope'");
    }

    private static void assertError(Result r, String line) {
        assertThat(r.exit()).as(r.err()).isEqualTo(Cli.EXIT_USAGE);
        assertThat(r.err()).isEqualTo(line + System.lineSeparator());
    }
}
