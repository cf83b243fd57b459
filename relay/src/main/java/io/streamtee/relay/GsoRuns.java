package io.streamtee.relay;

import java.util.function.IntUnaryOperator;

/**
 * How a batch of datagrams is cut into UDP GSO sends. The kernel splits one GSO buffer into segments of one size;
 * only the last may be shorter. So a run is a sequence of equal-size datagrams, optionally closed by one shorter
 * datagram, within the kernel's limits on segments and bytes.
 */
final class GsoRuns {
    /** Most segments the kernel takes in one UDP GSO send (UDP_MAX_SEGMENTS). */
    static final int MAX_SEGMENTS = 64;
    /** Most bytes in one UDP GSO send: what fits in one IP packet before segmentation, with room for headers. */
    static final int MAX_BYTES = 65_000;
    /** Largest datagram sent with GSO in AUTO mode: one that fits a 1500-byte MTU over IPv6 without fragments. */
    static final int AUTO_MAX_SEGMENT = 1452;

    private GsoRuns() {
    }

    /**
     * The end (exclusive) of the run that starts at {@code from}.
     *
     * @param sizeAt     size of the datagram at an index
     * @param from       first datagram of the run
     * @param n          number of datagrams in the batch
     * @param maxSegment largest datagram that may be part of a run; a larger one is a run of its own
     * @return {@code from + 1} when the datagram at {@code from} cannot start a run of two or more
     */
    static int end(IntUnaryOperator sizeAt, int from, int n, int maxSegment) {
        int size = sizeAt.applyAsInt(from);
        int j = from + 1;
        if (size <= 0 || size > maxSegment) {
            return j;
        }
        int bytes = size;
        while (j < n && j - from < MAX_SEGMENTS && bytes + size <= MAX_BYTES && sizeAt.applyAsInt(j) == size) {
            bytes += size;
            j++;
        }
        if (j < n && j - from < MAX_SEGMENTS) {
            int tail = sizeAt.applyAsInt(j);
            if (tail > 0 && tail < size && bytes + tail <= MAX_BYTES) {
                j++;
            }
        }
        return j;
    }
}
