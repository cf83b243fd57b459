/**
 * The input SPI: route inputs that come from a module the application wires in (RTSP in the {@code bridge} module),
 * found by URL scheme with {@link java.util.ServiceLoader}. See {@link io.streamtee.relay.input.InputFactory}.
 */
package io.streamtee.relay.input;
