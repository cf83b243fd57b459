package io.streamtee.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.streamtee.config.Endpoint;
import io.streamtee.net.Backoff;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code http://host:port/path}: pulls a stream (a camera's HTTP MPEG-TS, another relay's {@code /streams/{route}})
 * with a GET and takes datagrams from the response body, cut by the URL's framing. When the server ends the response,
 * closes the connection, answers with anything but 200, or cannot be reached, the input asks again after 100 ms,
 * then twice as long each time up to 5 s ({@link Backoff}), back to 100 ms once a response arrives; one log line per
 * change of state, never per attempt. Runs on the worker's event loop, feeding the worker's {@link FanOut}; the allow
 * list applies to the server's address.
 */
final class HttpInput {
    private static final Logger log = LoggerFactory.getLogger(HttpInput.class);
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final String route;
    private final Endpoint endpoint;
    private final EventLoop loop;
    private final NettyTransport transport;
    private final FanOut fanOut;
    private final RouteStats stats;
    /** Reconnects: 100 ms, doubling up to 5 s. */
    private static final Backoff RECONNECT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    /** Failed attempts in a row; back to 0 once one works. */
    private int failures;
    private final String where;
    private Channel connection;
    private ScheduledFuture<?> retry;
    private boolean stopped;
    /** Whether the current trouble was logged already (reset when a response arrives). */
    private boolean troubleLogged;

    HttpInput(String route, Endpoint endpoint, EventLoop loop, NettyTransport transport, FanOut fanOut,
            RouteStats stats) {
        this.route = route;
        this.endpoint = endpoint;
        this.loop = loop;
        this.transport = transport;
        this.fanOut = fanOut;
        this.stats = stats;
        this.where = "route " + route + " input " + endpoint;
    }

    /**
     * Starts pulling in the background. The returned channel is a handle for the input's life (a socket registered
     * on the loop, never connected): closing it stops the pull and closes the connection.
     */
    Channel start() {
        ChannelFuture handle = new Bootstrap()
                .group(loop)
                .channelFactory(transport.socketChannel())
                .handler(new ChannelInboundHandlerAdapter())
                .register()
                .awaitUninterruptibly();
        if (!handle.isSuccess()) {
            throw new RelayException(where + ": " + SocketErrors.describe(handle.cause()), handle.cause());
        }
        handle.channel().closeFuture().addListener(f -> stop());
        loop.execute(this::connect);
        return handle.channel();
    }

    private void stop() {
        stopped = true;
        if (retry != null) {
            retry.cancel(false);
        }
        if (connection != null) {
            connection.close();
        }
    }

    private void connect() {
        retry = null;
        if (stopped) {
            return;
        }
        new Bootstrap()
                .group(loop)
                .channelFactory(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new Body(),
                                new StreamDecoder(StreamFramer.of(endpoint.framing(), stats, where)), fanOut);
                    }
                })
                .connect(endpoint.address())
                .addListener((ChannelFutureListener) this::connected);
    }

    private void connected(ChannelFuture f) {
        if (!f.isSuccess()) {
            trouble("cannot connect (" + SocketErrors.describe(f.cause()) + ")");
            scheduleRetry();
            return;
        }
        Channel ch = f.channel();
        if (stopped) {
            ch.close();
            return;
        }
        connection = ch;
        ch.closeFuture().addListener(x -> {
            connection = null;
            scheduleRetry();
        });
    }

    private void scheduleRetry() {
        if (!stopped && retry == null) {
            retry = loop.schedule(this::connect, RECONNECT.delayMillis(++failures), TimeUnit.MILLISECONDS);
        }
    }

    private void trouble(String what) {
        if (!troubleLogged && !stopped) {
            troubleLogged = true;
            log.warn("{}: {}; retrying in the background", where, what);
        }
    }

    /** Sends the GET, checks the answer and passes the body's bytes on; the end of the body ends the connection. */
    private final class Body extends ChannelInboundHandlerAdapter {
        private boolean ok;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            FullHttpRequest get = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, endpoint.path());
            String host = endpoint.address().getHostString();
            get.headers().set(HttpHeaderNames.HOST, (host.contains(":") ? "[" + host + "]" : host) + ":"
                    + endpoint.address().getPort());
            get.headers().set(HttpHeaderNames.USER_AGENT, "streamtee");
            ctx.writeAndFlush(get);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpResponse response) {
                if (!response.status().equals(HttpResponseStatus.OK)) {
                    ReferenceCountUtil.release(msg);
                    trouble("the server answered " + response.status());
                    ctx.close();
                    return;
                }
                ok = true;
                failures = 0;
                troubleLogged = false;
                log.info("{}: receiving", where);
            }
            if (msg instanceof HttpContent content && ok) {
                ctx.fireChannelRead(content.content());
                if (content instanceof LastHttpContent) {
                    log.info("{}: the server ended the stream; asking again", where);
                    ok = false;
                    ctx.close();
                }
                return;
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ok) {
                trouble("the server closed the connection");
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("{}: connection error", where, cause);
            ctx.close();
        }
    }
}
