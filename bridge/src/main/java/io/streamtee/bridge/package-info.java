/**
 * Inputs that need FFmpeg, behind core's input SPI ({@link io.streamtee.input.InputFactory}: a relay route's input,
 * or the recorder's, analyzer's or viewer's {@code --listen}), so that the relay and the services stay free of it: RTSP cameras ({@link io.streamtee.bridge.RtspInputFactory}), pulled with
 * libavformat's RTSP client and remuxed, without re-encoding, into MPEG-TS datagrams; and SRT
 * inputs and outputs ({@link io.streamtee.bridge.SrtInputFactory}, {@link io.streamtee.bridge.SrtOutputFactory}),
 * through Debian's libsrt called with the FFM API ({@code io.streamtee.bridge.srt}, compiled for Java 22), one SRT
 * message per datagram.
 */
package io.streamtee.bridge;
