package io.streamtee.camera;

/**
 * A snapshot of a camera's counters.
 *
 * @param datagramsSent datagrams handed to the socket
 * @param bytesSent TS bytes in them (RTP headers not counted)
 * @param framesEncoded frames encoded by a pattern camera (0 for a clip)
 * @param datagramsDropped datagrams dropped on purpose by {@code loss}
 * @param sendErrors datagrams the socket refused
 * @param loops completed passes over a clip
 */
public record CameraStats(long datagramsSent, long bytesSent, long framesEncoded, long datagramsDropped,
        long sendErrors, long loops) {
}
