package io.streamtee.record;

import static org.awaitility.Awaitility.await;

import io.streamtee.testing.UdpSender;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code streamtee record} in a child JVM, for the tests that signal or kill it: how to start it with its output in
 * a log file, the UDP port it says it listens on, and a stream sent to that port.
 */
final class RecordProcess {
    private static final Pattern LISTENING = Pattern.compile("listening on [0-9.]+:(\\d+)");

    private RecordProcess() {
    }

    /** {@code java -cp <this classpath> RecordCommand args}, stdout and stderr to {@code log}; not started. */
    static ProcessBuilder builder(Path log, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), RecordCommand.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    }

    /** Waits (30 s at most) until {@code log} says "listening on host:port"; returns the port. */
    static int awaitUdpPort(Path log) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> {
            Matcher m = LISTENING.matcher(Files.exists(log) ? Files.readString(log) : "");
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        }, port -> port > 0);
    }

    /** Sends {@code ts} to 127.0.0.1:{@code port} in datagrams of seven packets, at once. */
    static void send(int port, byte[] ts) throws IOException {
        try (UdpSender sender = UdpSender.to(new InetSocketAddress("127.0.0.1", port))) {
            for (byte[] d : TestStream.datagrams(ts)) {
                sender.send(d);
            }
        }
    }
}
