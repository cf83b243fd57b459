package io.streamtee.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two network namespaces joined by a veth pair, made by a test so that a client can reach a server over a real
 * non-loopback address without a packet leaving the machine: the server runs in {@link #server()} at
 * {@link #serverAddress()}, the client in {@link #client()} at {@link #clientAddress()} (10.x addresses that exist
 * only inside the two namespaces). Needs root ({@code ip netns add}); {@link #create()} returns null with the reason in
 * {@link #refusal()} when the system refuses, so the test can skip. {@link #close()} deletes both namespaces (and so
 * the veth pair) and is safe to call twice.
 *
 * <pre>{@code
 * NetNs ns = NetNs.create();
 * assumeTrue(ns != null, NetNs.refusal());
 * Process server = ns.start(ns.server(), "java", "-cp", cp, "Main", ns.serverAddress());
 * NetNs.Run r = ns.run(ns.client(), "curl", "-s", "http://" + ns.serverAddress() + ":8080/");
 * }</pre>
 */
public final class NetNs implements AutoCloseable {
    private static volatile String refusal = "";
    private final String server;
    private final String client;
    private final String serverAddress;
    private final String clientAddress;
    private final List<Process> started = new ArrayList<>();
    private boolean closed;

    /** What a command printed and how it ended. */
    public record Run(int exit, String out) {
    }

    private NetNs(String server, String client, String serverAddress, String clientAddress) {
        this.server = server;
        this.client = client;
        this.serverAddress = serverAddress;
        this.clientAddress = clientAddress;
    }

    /** Makes the two namespaces and the link, or returns null (see {@link #refusal()}). */
    public static NetNs create() {
        long id = ProcessHandle.current().pid() % 100_000;
        int subnet = (int) (ProcessHandle.current().pid() % 250) + 1;
        NetNs ns = new NetNs("st-srv-" + id, "st-cli-" + id, "10.77." + subnet + ".1", "10.77." + subnet + ".2");
        String veth = "stv" + id;
        try {
            ns.must("ip", "netns", "add", ns.server);
            ns.must("ip", "netns", "add", ns.client);
            ns.must("ip", "link", "add", veth + "a", "netns", ns.server, "type", "veth", "peer", "name", veth + "b",
                    "netns", ns.client);
            ns.must("ip", "-n", ns.server, "addr", "add", ns.serverAddress + "/24", "dev", veth + "a");
            ns.must("ip", "-n", ns.client, "addr", "add", ns.clientAddress + "/24", "dev", veth + "b");
            for (String n : List.of(ns.server, ns.client)) {
                ns.must("ip", "-n", n, "link", "set", "lo", "up");
            }
            ns.must("ip", "-n", ns.server, "link", "set", veth + "a", "up");
            ns.must("ip", "-n", ns.client, "link", "set", veth + "b", "up");
            return ns;
        } catch (IOException | RuntimeException e) {
            refusal = "network namespaces unavailable (" + e.getMessage() + "); needs root and ip netns";
            ns.close();
            return null;
        }
    }

    /** Why {@link #create()} returned null. */
    public static String refusal() {
        return refusal;
    }

    public String server() {
        return server;
    }

    public String client() {
        return client;
    }

    public String serverAddress() {
        return serverAddress;
    }

    public String clientAddress() {
        return clientAddress;
    }

    /** Starts {@code command} in namespace {@code ns} (stderr into stdout); it is killed by {@link #close()}. */
    public synchronized Process start(String ns, String... command) throws IOException {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(List.of(command));
        Process p = new ProcessBuilder(all).redirectErrorStream(true).start();
        started.add(p);
        return p;
    }

    /** Runs {@code command} in namespace {@code ns} to its end (at most 30 s). */
    public Run run(String ns, String... command) throws IOException, InterruptedException {
        Process p = start(ns, command);
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Kills what was started and deletes both namespaces. Safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : started) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (String n : List.of(server, client)) {
            try {
                exec("ip", "netns", "delete", n);
            } catch (IOException e) {
                System.err.println("NetNs: could not delete " + n + ": " + e.getMessage());
            }
        }
    }

    private void must(String... command) throws IOException {
        Run r = exec(command);
        if (r.exit() != 0) {
            throw new IOException(String.join(" ", command) + ": " + r.out().strip());
        }
    }

    private static Run exec(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
            return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
