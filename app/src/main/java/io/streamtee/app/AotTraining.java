package io.streamtee.app;

import io.streamtee.cli.Cli;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import sun.misc.Signal;

/**
 * The training run of the launchers' start-up cache (JDK 25's AOT cache, {@code -XX:AOTCacheOutput}): runs
 * {@code streamtee relay} in this JVM between two loopback ports, as a person would start it, sends datagrams through
 * it until {@link #DATAGRAMS} have come out, then stops it the way SIGTERM does. What this run loads and links is what
 * the cache holds, so a relay started with the cache reaches its first forwarded datagram without that work.
 *
 * <p>Bounded: gives up after {@link #TIMEOUT_MS}. Only 127.0.0.1 is used. Exit code 0 when the datagrams came through
 * and the relay stopped cleanly, else 1 (the launcher then starts without a cache).
 */
public final class AotTraining {
    /** Datagrams that must come out of the relay (enough for its read and send paths to be linked and profiled). */
    static final int DATAGRAMS = 2_000;
    /** The whole run's bound. */
    static final long TIMEOUT_MS = 20_000;
    private static final int SIZE = 1316;

    private AotTraining() {
    }

    public static void main(String[] args) {
        int exit;
        try {
            exit = run();
        } catch (IOException | RuntimeException | ExecutionException | TimeoutException e) {
            System.err.println("streamtee: start-up cache training failed: " + e);
            exit = 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exit = 1;
        }
        System.exit(exit);
    }

    /** Runs the relay, passes {@link #DATAGRAMS} through it, stops it; returns the relay command's exit code or 1. */
    static int run() throws IOException, InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (DatagramSocket out = new DatagramSocket(new InetSocketAddress(loopback, 0));
                DatagramSocket in = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            int inPort = freePort(loopback);
            String[] args = {"relay", "--listen", "udp://127.0.0.1:" + inPort, "--to",
                "127.0.0.1:" + out.getLocalPort(), "--stats-interval", "0"};
            CompletableFuture<Integer> relay = CompletableFuture.supplyAsync(() -> Cli.run(Main.commandLine(args), args));
            out.setSoTimeout(1);
            byte[] payload = new byte[SIZE];
            DatagramPacket send = new DatagramPacket(payload, SIZE, new InetSocketAddress(loopback, inPort));
            DatagramPacket received = new DatagramPacket(new byte[2048], 2048);
            int arrived = 0;
            while (arrived < DATAGRAMS && !relay.isDone() && System.nanoTime() < deadline) {
                in.send(send);
                try {
                    out.receive(received);
                    arrived++;
                } catch (SocketTimeoutException e) {
                    // nothing (yet): the relay is starting, send the next one
                }
            }
            if (!relay.isDone()) {
                Signal.raise(new Signal("TERM"));
            }
            long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            int exit = relay.get(left, TimeUnit.MILLISECONDS);
            return arrived >= DATAGRAMS ? exit : 1;
        }
    }

    private static int freePort(InetAddress loopback) throws IOException {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            return probe.getLocalPort();
        }
    }
}
