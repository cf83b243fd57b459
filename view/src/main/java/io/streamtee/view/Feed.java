package io.streamtee.view;

import java.util.List;
import java.util.function.Function;

/**
 * What a {@link FrameSocket} streams to its viewers: the camera's access units ({@link Hub}), or the MSE fallback's
 * fMP4 messages ({@link MseFeed}). Each viewer joins with its own bounded {@link Subscriber} queue.
 */
interface Feed {
    /** A new viewer's queue, given the cached GOP at once. */
    Subscriber join();

    /** The viewer leaves (idempotent). */
    void leave(Subscriber s);

    /**
     * Why this feed has no video to send, for the page (one line), or null while it has (or nothing is known yet): the
     * camera's ({@link Hub#noVideoMessage()}), or for the MSE fallback also an H.265 camera ({@link MseFeed}).
     */
    String noVideoMessage();

    /**
     * For one viewer: the messages to send for each message it takes from its queue, in order (empty: send none).
     * The function may keep state for that viewer (the MSE fallback sends an init segment before the first fragment
     * of each new generation). By default each message is sent as it is.
     */
    default Function<Frame, List<Frame>> framer() {
        return List::of;
    }
}
