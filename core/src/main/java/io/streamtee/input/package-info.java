/**
 * The input SPI: inputs that come from a module the application wires in ({@code rtsp://}, {@code rtsps://} and
 * {@code srt://} from the {@code bridge} module), found by URL scheme with {@link java.util.ServiceLoader}
 * ({@link io.streamtee.input.Inputs}). The relay feeds such an input into a route's fan-out; the recorder, the
 * analyzer and the viewer take it in place of their UDP socket (see {@code io.streamtee.net.UdpReceiver}). See
 * {@link io.streamtee.input.InputFactory}.
 */
package io.streamtee.input;
