package io.streamtee.analyze.motion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolygonTest {
    @Test
    void parsesPointsAndTellsInsideFromOutside() {
        Polygon triangle = Polygon.parse("analyze.zones.porch", " [[0.1, 0.5], [0.6,0.5],[0.6,1.0]] ");
        assertThat(triangle.size()).isEqualTo(3);
        assertThat(triangle.contains(0.5, 0.6)).isTrue();
        assertThat(triangle.contains(0.2, 0.9)).isFalse(); // below the hypotenuse
        assertThat(triangle.contains(0.7, 0.7)).isFalse();
        assertThat(triangle.contains(0.5, 0.4)).isFalse();
        assertThat(triangle.toString()).isEqualTo("[[0.1,0.5],[0.6,0.5],[0.6,1.0]]");
        assertThat(Polygon.parse("k", triangle.toString())).isEqualTo(triangle);
    }

    @Test
    void rasterizesByPixelCentres() {
        Polygon rightHalf = Polygon.parse("m", "[[0.5,0],[1,0],[1,1],[0.5,1]]");
        byte[] mask = rightHalf.rasterize(10, 4);
        int inside = 0;
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 10; x++) {
                assertThat(mask[y * 10 + x]).as("%d,%d", x, y).isEqualTo((byte) (x >= 5 ? 1 : 0));
                inside += mask[y * 10 + x];
            }
        }
        assertThat(inside).isEqualTo(20);
        // a concave L shape
        Polygon l = Polygon.parse("m", "[[0,0],[0.5,0],[0.5,0.5],[1,0.5],[1,1],[0,1]]");
        assertThat(l.contains(0.75, 0.25)).isFalse();
        assertThat(l.contains(0.25, 0.25)).isTrue();
        assertThat(l.contains(0.75, 0.75)).isTrue();
    }

    @Test
    void badPolygonsGiveOneLineErrorsNamingTheKey() {
        assertError("[[0.1,0.5],[0.6,0.5]]", "analyze.zones.porch: a polygon needs at least 3 points, not 2");
        assertError("[]", "analyze.zones.porch: a polygon needs at least 3 points, not 0");
        assertError("", "analyze.zones.porch: a polygon is needed, e.g. [[0.1,0.5],[0.6,0.5],[0.6,1.0]]");
        assertError("[[0.1,0.5],[1.6,0.5],[0.6,1.0]]",
                "analyze.zones.porch: point 2: coordinates are fractions of the picture, between 0 and 1, not 1.6");
        assertError("[[0.1,0.5],[x,0.5],[0.6,1.0]]",
                "analyze.zones.porch: point 2 has a coordinate that is not a number: 'x'");
        assertError("[[0.1,0.5],[0.6],[0.6,1.0]]", "analyze.zones.porch: point 2 must be [x,y], not [0.6]");
        assertError("0.1,0.5", "analyze.zones.porch: expected a list of [x,y] points, e.g. "
                + "[[0.1,0.5],[0.6,0.5],[0.6,1.0]], not 0.1,0.5");
        assertError("[[0.1,0.5],[0.6,0.5],[0.6,1.0],]", "analyze.zones.porch: a point is missing after the last ,");
        assertError("[[0.1,0.5][0.6,0.5],[0.6,1.0]]",
                "analyze.zones.porch: expected , after point 1, e.g. [[0.1,0.5],[0.6,0.5],[0.6,1.0]]");
        assertError("[[0.1,0.1],[0.2,0.2],[0.3,0.3]]",
                "analyze.zones.porch: a polygon must enclose an area; its points lie on a line");
        assertThatThrownBy(() -> Polygon.of("analyze.masks[1]", List.of(new double[] {0, 0}, new double[] {1, 0})))
                .hasMessage("analyze.masks[1]: a polygon needs at least 3 points, not 2");
    }

    private static void assertError(String text, String message) {
        assertThatThrownBy(() -> Polygon.parse("analyze.zones.porch", text))
                .isInstanceOf(ConfigException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void zonesTellWhichABoxTouchesWithTheMinimumShare() {
        Zones zones = new Zones(List.of(
                Zone.parse("left", "[[0,0],[0.5,0],[0.5,1],[0,1]]", 0),
                Zone.parse("leftMost", "[[0,0],[0.5,0],[0.5,1],[0,1]]", 0.6),
                Zone.parse("right", "[[0.5,0],[1,0],[1,1],[0.5,1]]", 0)));
        // 100x10 picture: a box of columns 40..60 is half in each
        assertThat(zones.names(zones.touched(100, 10, 40, 0, 60, 10))).containsExactly("left", "right");
        // columns 35..60: 15 of 25 = 0.6 left
        assertThat(zones.names(zones.touched(100, 10, 35, 0, 60, 10))).containsExactly("left", "leftMost", "right");
        assertThat(zones.names(zones.touched(100, 10, 60, 0, 70, 5))).containsExactly("right");
        // another picture size: drawn again
        assertThat(zones.names(zones.touched(10, 10, 0, 0, 2, 2))).containsExactly("left", "leftMost");
        assertThatThrownBy(() -> new Zones(List.of(Zone.parse("a", "[[0,0],[1,0],[1,1]]", 0),
                Zone.parse("a", "[[0,0],[1,0],[1,1]]", 0)))).hasMessage("analyze.zones.a: zone defined twice");
        assertThatThrownBy(() -> Zone.parse("a", "[[0,0],[1,0],[1,1]]", 1.5))
                .hasMessage("analyze.zones.a.minShare: must be between 0 and 1, not 1.5");
        assertThatThrownBy(() -> Zone.parse("front door", "[[0,0],[1,0],[1,1]]", 0))
                .hasMessage("analyze.zones: a zone name is letters, digits, _ and -, not 'front door'");
    }
}
