/**
 * The camera simulator: a live synthetic H.264 test pattern, or a TS file played in a seamless loop, sent as UDP
 * (or RTP) datagrams of seven 188-byte packets: the pattern as a live camera sends, each frame as soon as it is
 * encoded; the file at the times its PCR implies.
 *
 * <p>Entry points:
 * <ul>
 *   <li>{@link io.streamtee.camera.Camera}: start one in-process from a {@link io.streamtee.camera.CameraConfig};
 *       close it when done (idempotent).</li>
 *   <li>{@link io.streamtee.camera.CameraCommand}: the {@code streamtee camera} picocli command.</li>
 *   <li>The truth for tests of an analyzer: {@link io.streamtee.camera.PatternScript} (where the visitor is and how
 *       the scene is lit at any frame, each frame's PTS) and {@link io.streamtee.camera.Camera#timeline()} (the
 *       {@link io.streamtee.camera.Visit}s and {@link io.streamtee.camera.LightChange}s painted so far, with the
 *       wall clock burned into each).</li>
 * </ul>
 *
 * <p>Inside: {@code PatternPainter} paints YUV planes as the script says, {@code PatternEncoder} encodes them with FFmpeg's
 * libopenh264 and muxes MPEG-TS in memory, {@code LivePacer} sends each of its frames at once, {@code ClipSource}
 * reads and rewrites a looping file, {@code TsPacer} times each of its datagrams from the PCR, {@code Emitter}
 * injects faults and waits on a monotonic clock, and
 * {@code UdpSender} writes to a NIO datagram channel.
 */
package io.streamtee.camera;
