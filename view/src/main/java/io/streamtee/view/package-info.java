/**
 * The live viewer ({@code streamtee view}, issue 11; early): the cameras' H.264 access units, unchanged, over a
 * WebSocket to a page that decodes them with WebCodecs, or, where WebCodecs is missing, as fragmented MP4 to the same
 * page playing them with Media Source Extensions.
 *
 * <p>Per camera ({@link io.streamtee.view.CameraFeed}): {@link io.streamtee.view.LiveInput} receives the UDP MPEG-TS
 * stream and demuxes it into access units; each becomes one {@link io.streamtee.view.Frame} (the
 * {@linkplain io.streamtee.view.Frame wire format}), which the {@link io.streamtee.view.Hub} keeps in its
 * {@link io.streamtee.view.GopCache} and hands to every {@link io.streamtee.view.Subscriber}'s bounded queue.
 * {@link io.streamtee.view.ViewServer} serves them all on the shared web server (the token rule, the WebSocket upgrade
 * included): per camera its page, its WebSocket ({@code FrameSocket}: the viewer limit, the send timeout, messages
 * from the viewer ignored and bounded) and its {@link io.streamtee.view.Snapshots} ({@code /snapshot.jpg}, decoded
 * from the cached GOP on request with the media module); a grid page when there are several; {@code /metrics}
 * ({@code ViewMetrics}) and {@code /healthz}. Besides the frames, the sockets send a few JSON text messages
 * ({@link io.streamtee.view.PageMessages}: how many frames are the cached GOP, "no video"). The page (view.html)
 * shows glass-to-glass latency from the camera's capture-time SEI ({@link io.streamtee.ts.CaptureTime}) when the
 * stream carries it, server-to-screen latency, fps, drops and bit rate, decodes H.265 where the browser can, and
 * keeps its figures and per-frame samples in {@code window.streamteeStats} (bench/view-latency.sh reads them). The MSE fallback ({@link io.streamtee.view.MseFeed}, WebSocket
 * {@code mse}) takes the frames from the camera's hub like one more viewer, muxes each once into an fMP4 fragment
 * ({@link io.streamtee.media.Fmp4Writer}) and fans the fragments out through a second hub of its own, with the same
 * GOP cache and per-viewer queues.
 */
package io.streamtee.view;
