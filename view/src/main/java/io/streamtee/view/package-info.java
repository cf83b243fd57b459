/**
 * The live viewer ({@code streamtee view}, issue 11; early): the camera's H.264 access units, unchanged, over a
 * WebSocket to a page that decodes them with WebCodecs.
 *
 * <p>{@link io.streamtee.view.LiveInput} receives the UDP MPEG-TS stream and demuxes it into access units; each
 * becomes one {@link io.streamtee.view.Frame} (the {@linkplain io.streamtee.view.Frame wire format}), which the
 * {@link io.streamtee.view.Hub} keeps in its {@link io.streamtee.view.GopCache} and hands to every
 * {@link io.streamtee.view.Subscriber}'s bounded queue; {@link io.streamtee.view.ViewServer} sends each queue over
 * a WebSocket and serves the page, with a few JSON text messages besides ({@link io.streamtee.view.PageMessages}:
 * how many frames are the cached GOP, "no video"). The page (view.html) shows glass-to-glass latency from the
 * camera's capture-time SEI ({@link io.streamtee.ts.CaptureTime}) when the stream carries it, server-to-screen
 * latency, fps, drops and bit rate, decodes H.265 where the browser can, and keeps its figures and per-frame samples
 * in {@code window.streamteeStats} (bench/view-latency.sh reads them). Not yet: the MSE fallback, {@code /metrics},
 * {@code /snapshot.jpg}, a token off loopback, a viewer limit.
 */
package io.streamtee.view;
