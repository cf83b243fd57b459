package io.streamtee.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * GStreamer's gst-rtsp-server (Debian's, driven by {@code rtsp_server.py} from the test resources) on 127.0.0.1,
 * serving an MPEG-TS file's H.264 at {@code /stream}, from the file's start for each client. Tests skip with a message
 * where the packages are missing.
 *
 * <pre>{@code
 * RtspServer.assumeInstalled();
 * try (RtspServer server = RtspServer.start(RtspServer.script(dir), clip, 0, null)) {
 *     String url = "rtsp://127.0.0.1:" + server.port() + "/stream";
 * }
 * }</pre>
 */
public final class RtspServer implements AutoCloseable {
    static final String PYTHON = "/usr/bin/python3";
    private final Process process;
    private final int port;

    private RtspServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Skips the test unless Debian's python3 with gst-rtsp-server's bindings is installed. */
    public static void assumeInstalled() throws IOException, InterruptedException {
        boolean ok = Files.isExecutable(Path.of(PYTHON));
        if (ok) {
            Process p = new ProcessBuilder(PYTHON, "-c", "import gi; gi.require_version('GstRtspServer', '1.0');"
                    + " from gi.repository import GstRtspServer, Gst; Gst.init(None);"
                    + " assert Gst.ElementFactory.find('tsdemux') and Gst.ElementFactory.find('rtph264pay')")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            ok = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        }
        assumeTrue(ok, "gst-rtsp-server not installed (Debian: gir1.2-gst-rtsp-server-1.0 python3-gi"
                + " gstreamer1.0-plugins-good gstreamer1.0-plugins-bad); RTSP tests skipped");
    }

    /** Writes the server's script ({@code rtsp_server.py}, a resource of this module) into {@code dir}; its path. */
    public static Path script(Path dir) throws IOException {
        Path script = dir.resolve("rtsp_server.py");
        try (InputStream in = RtspServer.class.getResourceAsStream("rtsp_server.py")) {
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        return script;
    }

    /**
     * Starts a server on {@code port} (0: one the kernel picks) and waits until it listens.
     *
     * @param credentials {@code user:password} for basic auth, or null
     */
    public static RtspServer start(Path script, Path file, int port, String credentials) throws Exception {
        return start(script, file.toString(), null, port, credentials);
    }

    /** Starts a server serving a GStreamer pipeline of its own ({@code pay0} named), e.g. audio only. */
    public static RtspServer serving(Path script, String pipeline) throws Exception {
        return start(script, "-", pipeline, 0, null);
    }

    /** Starts a server speaking RTSP over TLS ({@code rtsps://}) with the certificate and key given (PEM files). */
    public static RtspServer tls(Path script, Path file, Path cert, Path key) throws Exception {
        return start(script, file.toString(), null, 0, null, Map.of("RTSP_TLS_CERT", cert.toString(),
                "RTSP_TLS_KEY", key.toString()));
    }

    private static RtspServer start(Path script, String file, String pipeline, int port, String credentials)
            throws Exception {
        return start(script, file, pipeline, port, credentials, Map.of());
    }

    private static RtspServer start(Path script, String file, String pipeline, int port, String credentials,
            Map<String, String> environment) throws Exception {
        List<String> command = new ArrayList<>(List.of(PYTHON, script.toString(), file, String.valueOf(port)));
        if (credentials != null) {
            command.add(credentials);
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        if (pipeline != null) {
            builder.environment().put("RTSP_LAUNCH", pipeline);
        }
        builder.environment().putAll(environment);
        Process p = builder.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        try {
            line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    return null;
                }
            }).get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new AssertionError("the RTSP server did not start in 20 s", e);
        }
        if (line == null || !line.startsWith("PORT ")) {
            p.destroyForcibly();
            throw new AssertionError("the RTSP server did not start: " + line);
        }
        return new RtspServer(p, Integer.parseInt(line.substring(5).trim()));
    }

    public int port() {
        return port;
    }

    /** Stops the server (its clients' connections close with it). */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
