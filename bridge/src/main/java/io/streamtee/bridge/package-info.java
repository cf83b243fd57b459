/**
 * Route inputs that need FFmpeg, behind the relay's input SPI ({@link io.streamtee.input.InputFactory}), so that
 * the relay module stays free of it: RTSP cameras ({@link io.streamtee.bridge.RtspInputFactory}), pulled with
 * libavformat's RTSP client and remuxed, without re-encoding, into MPEG-TS datagrams; and SRT
 * ({@link io.streamtee.bridge.SrtInputFactory}), received with libavformat's {@code srt} protocol (libsrt), one SRT
 * message per datagram.
 */
package io.streamtee.bridge;
