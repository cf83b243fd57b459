/**
 * The live viewer ({@code streamtee view}, issue 11; early): the cameras' H.264 access units, unchanged, over a
 * WebSocket to a page that decodes them with WebCodecs.
 *
 * <p>Per camera ({@link io.streamtee.view.CameraFeed}): {@link io.streamtee.view.LiveInput} receives the UDP MPEG-TS
 * stream and demuxes it into access units; each becomes one {@link io.streamtee.view.Frame} (the
 * {@linkplain io.streamtee.view.Frame wire format}), which the {@link io.streamtee.view.Hub} keeps in its
 * {@link io.streamtee.view.GopCache} and hands to every {@link io.streamtee.view.Subscriber}'s bounded queue.
 * {@link io.streamtee.view.ViewServer} serves them all on the shared web server (the token rule, the WebSocket upgrade
 * included): per camera its page, its WebSocket ({@code FrameSocket}: the viewer limit, the send timeout, messages
 * from the viewer ignored and bounded) and its {@link io.streamtee.view.Snapshots} ({@code /snapshot.jpg}, decoded
 * from the cached GOP on request with the media module); a grid page when there are several; {@code /metrics}
 * ({@code ViewMetrics}) and {@code /healthz}. Not yet: the MSE fallback, H.265 in the page, SEI glass-to-glass
 * latency.
 */
package io.streamtee.view;
