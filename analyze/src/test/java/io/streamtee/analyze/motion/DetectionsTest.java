package io.streamtee.analyze.motion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DetectionsTest {
    @Test
    void keepsTheLargestBoxesFirstAndDropsTheSmallestWhenFull() {
        Detections d = new Detections(3);
        d.reset(100, 50, 42, 0.1, false);
        d.add(0, 0, 2, 2, 4);
        d.add(10, 10, 20, 20, 100);
        d.add(30, 0, 33, 3, 9);
        d.add(40, 0, 41, 1, 1); // smaller than all: dropped
        d.add(50, 0, 55, 5, 25); // pushes out the 4
        assertThat(d.boxes()).extracting(Box::area).containsExactly(100, 25, 9);
        assertThat(d.box(1)).isEqualTo(new Box(50, 0, 55, 5, 25));
        assertThat(d.motion()).isTrue();
        assertThat(d.pts()).isEqualTo(42);
        assertThatThrownBy(() -> d.box(3)).isInstanceOf(IndexOutOfBoundsException.class);

        d.reset(100, 50, 43, 0.9, true);
        assertThat(d.count()).isZero();
        assertThat(d.motion()).isFalse();
        assertThat(d.recalibrating()).isTrue();
    }
}
