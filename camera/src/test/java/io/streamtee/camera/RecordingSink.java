package io.streamtee.camera;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A sink that records each datagram with the clock's time when it was sent. */
final class RecordingSink implements DatagramSink {

    record Sent(long nanos, byte[] bytes, long streamTime) {
    }

    private final Clock clock;
    final List<Sent> sent = new ArrayList<>();

    RecordingSink(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void send(byte[] buf, int length, long streamTime) {
        sent.add(new Sent(clock.nanoTime(), Arrays.copyOf(buf, length), streamTime));
    }

    @Override
    public void close() {
    }
}
