package io.streamtee.analyze.motion;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The configured {@link Zone}s, drawn once per picture size, answering which zones a box touches in constant time
 * per zone (a summed-area table each). Up to 64 zones; answers are bit sets (bit {@code i} = zone {@code i}). One
 * thread.
 */
public final class Zones {
    private final List<Zone> zones;
    private int width = -1;
    private int height = -1;
    private int[][] sums;

    public Zones(List<Zone> zones) {
        if (zones.size() > 64) {
            throw new IllegalArgumentException("at most 64 zones, not " + zones.size());
        }
        Set<String> names = new LinkedHashSet<>();
        for (Zone z : zones) {
            if (!names.add(z.name())) {
                throw io.streamtee.config.ConfigException.at("analyze.zones." + z.name(), "zone defined twice");
            }
        }
        this.zones = List.copyOf(zones);
    }

    public static Zones none() {
        return new Zones(List.of());
    }

    public List<Zone> zones() {
        return zones;
    }

    public boolean isEmpty() {
        return zones.isEmpty();
    }

    /** The zones the box {@code [x0,x1) x [y0,y1)} of a {@code width x height} picture touches, as a bit set. */
    public long touched(int width, int height, int x0, int y0, int x1, int y1) {
        if (zones.isEmpty()) {
            return 0;
        }
        prepare(width, height);
        long bits = 0;
        int boxArea = (x1 - x0) * (y1 - y0);
        int stride = width + 1;
        for (int i = 0; i < zones.size(); i++) {
            int[] s = sums[i];
            int inside = s[y1 * stride + x1] - s[y0 * stride + x1] - s[y1 * stride + x0] + s[y0 * stride + x0];
            if (inside > 0 && inside >= zones.get(i).minShare() * boxArea) {
                bits |= 1L << i;
            }
        }
        return bits;
    }

    /** The names of the zones in a bit set, in configuration order. */
    public Set<String> names(long bits) {
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < zones.size(); i++) {
            if ((bits & (1L << i)) != 0) {
                out.add(zones.get(i).name());
            }
        }
        return out;
    }

    private void prepare(int w, int h) {
        if (w == width && h == height) {
            return;
        }
        int[][] tables = new int[zones.size()][];
        for (int i = 0; i < zones.size(); i++) {
            byte[] mask = zones.get(i).polygon().rasterize(w, h);
            int stride = w + 1;
            int[] s = new int[stride * (h + 1)];
            for (int y = 0; y < h; y++) {
                int row = 0;
                for (int x = 0; x < w; x++) {
                    row += mask[y * w + x];
                    s[(y + 1) * stride + x + 1] = s[y * stride + x + 1] + row;
                }
            }
            tables[i] = s;
        }
        sums = tables;
        width = w;
        height = h;
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>();
        zones.forEach(z -> names.add(z.name()));
        return "Zones" + names;
    }
}
