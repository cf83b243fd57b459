package io.streamtee.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A slowloris attack on one loopback HTTP port, bounded in connections and time: {@code trickling} connections send a
 * request header one byte per {@code byteEvery}, {@code stalled} ones send half a header and then nothing; meanwhile a
 * healthy client fetches a URL again and again. What it saw comes back as a {@link Result}.
 *
 * <pre>{@code
 * Slowloris.Result r = new Slowloris(port, 100, 20).run(URI.create(url + "api/ok"), Duration.ofSeconds(4), tok);
 * }</pre>
 */
public final class Slowloris {
    private final int port;
    private final int trickling;
    private final int stalled;
    private Duration byteEvery = Duration.ofMillis(500);
    private Duration stalledWait;

    /** What one attack saw. */
    public record Result(int trickling, int tricklingHeld, int stalled, int stalledClosed, int healthyRequests,
            int healthyOk, long healthyMaxMs, long healthyMedianMs) {
    }

    /**
     * @param port      the loopback TCP port to attack
     * @param trickling connections sending a header byte by byte
     * @param stalled   connections that stop half way through a header
     */
    public Slowloris(int port, int trickling, int stalled) {
        this.port = port;
        this.trickling = trickling;
        this.stalled = stalled;
    }

    /**
     * The check each service's HTTP port gets: 150 trickling and 30 stalled connections (not waited on: the
     * services' idle timeout is longer than a test may wait) for 3 s, while a healthy client fetches {@code healthy};
     * every healthy request must be answered, none slower than 5 s. Records what it saw as figure {@code figure}.
     *
     * @param authorization the {@code Authorization} header of the healthy client, or null
     * @param test          the test class and method that ran it, for the figure
     */
    public static Result assertAnswered(String figure, int port, URI healthy, String authorization,
            Class<?> test, String method) throws Exception {
        Result r = new Slowloris(port, 150, 30).stalledWait(Duration.ZERO)
                .run(healthy, Duration.ofSeconds(3), authorization);
        assertThat(r.healthyRequests()).isGreaterThan(3);
        assertThat(r.healthyOk()).isEqualTo(r.healthyRequests());
        assertThat(r.healthyMaxMs()).isLessThan(5_000);
        Figures.of(figure).put("trickling", r.trickling()).put("connections_held", r.tricklingHeld())
                .put("healthy_requests", r.healthyRequests()).put("healthy_request_ms", r.healthyMedianMs())
                .put("healthy_max_ms", r.healthyMaxMs()).record(test, method);
        return r;
    }

    /** How often each trickling connection sends its next byte (default 500 ms). */
    public Slowloris byteEvery(Duration every) {
        this.byteEvery = every;
        return this;
    }

    /**
     * How long after the trickling the stalled connections are given to be closed by the server (default: the
     * duration of the run; zero when the server's idle timeout is longer than the test may wait).
     */
    public Slowloris stalledWait(Duration wait) {
        this.stalledWait = wait;
        return this;
    }

    /**
     * Opens the connections, trickles for {@code duration} while the healthy client fetches {@code healthy} (with the
     * {@code Authorization} header {@code authorization}, may be null), then counts which slow connections the server
     * still holds and which stalled ones it closed (a stalled one is given {@code duration} to be closed). Closes
     * every connection it opened.
     */
    public Result run(URI healthy, Duration duration, String authorization) throws Exception {
        List<Socket> slow = new ArrayList<>();
        List<Socket> stuck = new ArrayList<>();
        byte[] header = ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slowloris\r\nX-Pad: "
                + "a".repeat(4000) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        try {
            for (int i = 0; i < trickling; i++) {
                slow.add(open());
            }
            for (int i = 0; i < stalled; i++) {
                Socket s = open();
                s.getOutputStream().write(header, 0, 20);
                s.getOutputStream().flush();
                stuck.add(s);
            }
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            List<Long> latencies = new ArrayList<>();
            int ok = 0;
            long end = System.nanoTime() + duration.toNanos();
            long nextByte = System.nanoTime();
            int sent = 0;
            while (System.nanoTime() < end && sent < header.length - 4) {
                if (System.nanoTime() >= nextByte) {
                    for (Socket s : slow) {
                        try {
                            s.getOutputStream().write(header[sent]);
                            s.getOutputStream().flush();
                        } catch (IOException closed) {
                            // counted below as not held
                        }
                    }
                    sent++;
                    nextByte += byteEvery.toNanos();
                }
                HttpRequest.Builder req = HttpRequest.newBuilder(healthy).timeout(Duration.ofSeconds(10));
                if (authorization != null) {
                    req.header("Authorization", authorization);
                }
                long start = System.nanoTime();
                try {
                    HttpResponse<byte[]> res = client.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
                    if (res.statusCode() == 200) {
                        ok++;
                    }
                } catch (IOException failed) {
                    // a failed healthy request is what this measures: counted as not ok
                }
                latencies.add((System.nanoTime() - start) / 1_000_000);
                Thread.sleep(100); // pacing the healthy client, not waiting for a result
            }
            int held = 0;
            for (Socket s : slow) {
                held += open(s, Duration.ofMillis(5)) ? 1 : 0;
            }
            long closeBy = System.nanoTime() + (stalledWait != null ? stalledWait : duration).toNanos();
            int closed = 0;
            for (Socket s : stuck) {
                long left = Math.max(5, (closeBy - System.nanoTime()) / 1_000_000);
                closed += open(s, Duration.ofMillis(left)) ? 0 : 1; // the first waits, the others are checked
            }
            latencies.sort(null);
            return new Result(trickling, held, stalled, closed, latencies.size(), ok,
                    latencies.isEmpty() ? -1 : latencies.getLast(),
                    latencies.isEmpty() ? -1 : latencies.get(latencies.size() / 2));
        } finally {
            for (Socket s : slow) {
                closeQuietly(s);
            }
            for (Socket s : stuck) {
                closeQuietly(s);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing a test connection
        }
    }

    private Socket open() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return s;
    }

    /** Whether the server still holds {@code s} open: a read sees no end of stream nor a reset within {@code wait}. */
    private static boolean open(Socket s, Duration wait) {
        try {
            s.setSoTimeout((int) Math.max(1, wait.toMillis()));
            InputStream in = s.getInputStream();
            long end = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < end) {
                if (in.read() < 0) {
                    return false;
                }
                // a byte (an error response) is read and the connection still checked until end of stream
            }
            return true;
        } catch (SocketTimeoutException timeout) {
            return true;
        } catch (IOException reset) {
            return false;
        }
    }
}
