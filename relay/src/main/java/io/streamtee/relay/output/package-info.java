/**
 * The output SPI: route outputs that come from a module the application wires in (SRT in the {@code bridge} module),
 * found by URL scheme with {@link java.util.ServiceLoader}. See {@link io.streamtee.relay.output.OutputFactory}.
 */
package io.streamtee.relay.output;
