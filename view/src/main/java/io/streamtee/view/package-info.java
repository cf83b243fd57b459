/**
 * The live viewer ({@code streamtee view}, issue 11; early): the camera's H.264 access units, unchanged, over a
 * WebSocket to a page that decodes them with WebCodecs.
 *
 * <p>{@link io.streamtee.view.LiveInput} receives the UDP MPEG-TS stream and demuxes it into access units; each
 * becomes one {@link io.streamtee.view.Frame} (the {@linkplain io.streamtee.view.Frame wire format}), which the
 * {@link io.streamtee.view.Hub} keeps in its {@link io.streamtee.view.GopCache} and hands to every
 * {@link io.streamtee.view.Subscriber}'s bounded queue; {@link io.streamtee.view.ViewServer} sends each queue over
 * a WebSocket and serves the page. Not yet: the MSE fallback, H.265 in the page, SEI glass-to-glass latency,
 * {@code /metrics}, {@code /snapshot.jpg}, a token off loopback, a viewer limit.
 */
package io.streamtee.view;
