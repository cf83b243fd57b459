package io.streamtee.analyze.sink.webhook;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A webhook receiver for tests: the JDK's HTTP server on 127.0.0.1, recording every request it gets, answering
 * 200, or the statuses it was told to answer first, or never (hanging) until closed.
 */
final class HookServer implements AutoCloseable {
    /** One request as received. */
    record Request(String method, String path, String query, Headers headers, byte[] body) {
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Deque<Integer> statuses = new ConcurrentLinkedDeque<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private volatile boolean hang;

    private HookServer(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A server on 127.0.0.1:{@code port}, 0 for any free port. */
    static HookServer start(int port) throws IOException {
        return new HookServer(port);
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:port/hook}. */
    String url() {
        return "http://127.0.0.1:" + port() + "/hook";
    }

    /** Answers the next requests with these statuses, then 200 again. */
    void answer(int... codes) {
        for (int code : codes) {
            statuses.addLast(code);
        }
    }

    /** Takes every request from now on and never answers it (until closed). */
    void hang() {
        hang = true;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders(), body));
            if (hang) {
                release.await();
                return;
            }
            Integer status = statuses.pollFirst();
            exchange.sendResponseHeaders(status == null ? 200 : status, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
