package io.streamtee.analyze.motion;

import io.streamtee.config.ConfigException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A closed polygon in normalized picture coordinates (x right, y down, both 0..1), so that it fits any picture size:
 * a mask (motion there is ignored) or a zone (named area an event reports). At least 3 points; the last joins the
 * first. Immutable.
 */
public final class Polygon {
    private static final String EXAMPLE = "[[0.1,0.5],[0.6,0.5],[0.6,1.0]]";
    private final double[] xs;
    private final double[] ys;

    private Polygon(double[] xs, double[] ys) {
        this.xs = xs;
        this.ys = ys;
    }

    /** A polygon of the points {x, y}; {@code key} names it in the one-line error. */
    public static Polygon of(String key, List<double[]> points) {
        if (points.size() < 3) {
            throw ConfigException.at(key, "a polygon needs at least 3 points, not " + points.size());
        }
        double[] xs = new double[points.size()];
        double[] ys = new double[points.size()];
        for (int i = 0; i < points.size(); i++) {
            double[] p = points.get(i);
            if (p.length != 2) {
                throw ConfigException.at(key, "point " + (i + 1) + " must be [x,y], not " + p.length + " numbers");
            }
            xs[i] = coordinate(key, i, p[0]);
            ys[i] = coordinate(key, i, p[1]);
        }
        Polygon polygon = new Polygon(xs, ys);
        if (Math.abs(polygon.signedArea()) < 1e-9) {
            throw ConfigException.at(key, "a polygon must enclose an area; its points lie on a line");
        }
        return polygon;
    }

    /** Parses {@code [[x,y],[x,y],[x,y],...]}, e.g. {@value #EXAMPLE}; errors name {@code key}. */
    public static Polygon parse(String key, String text) {
        if (text == null || text.isBlank()) {
            throw ConfigException.at(key, "a polygon is needed, e.g. " + EXAMPLE);
        }
        String s = text.replaceAll("\\s+", "");
        if (!s.startsWith("[") || !s.endsWith("]")) {
            throw ConfigException.at(key, "expected a list of [x,y] points, e.g. " + EXAMPLE + ", not " + text.strip());
        }
        String inner = s.substring(1, s.length() - 1);
        List<double[]> points = new ArrayList<>();
        int i = 0;
        while (i < inner.length()) {
            if (inner.charAt(i) != '[') {
                throw ConfigException.at(key, "expected [x,y] at point " + (points.size() + 1) + ", e.g. " + EXAMPLE);
            }
            int end = inner.indexOf(']', i);
            if (end < 0) {
                throw ConfigException.at(key, "point " + (points.size() + 1) + " is missing its ]");
            }
            String[] parts = inner.substring(i + 1, end).split(",", -1);
            if (parts.length != 2) {
                throw ConfigException.at(key, "point " + (points.size() + 1) + " must be [x,y], not ["
                        + inner.substring(i + 1, end) + "]");
            }
            points.add(new double[] {number(key, points.size(), parts[0]), number(key, points.size(), parts[1])});
            i = end + 1;
            if (i < inner.length()) {
                if (inner.charAt(i) != ',') {
                    throw ConfigException.at(key, "expected , after point " + points.size() + ", e.g. " + EXAMPLE);
                }
                i++;
                if (i == inner.length()) {
                    throw ConfigException.at(key, "a point is missing after the last ,");
                }
            }
        }
        return of(key, points);
    }

    private static double number(String key, int index, String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw ConfigException.at(key, "point " + (index + 1) + " has a coordinate that is not a number: '"
                    + text + "'");
        }
    }

    private static double coordinate(String key, int index, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw ConfigException.at(key, "point " + (index + 1) + ": coordinates are fractions of the picture, "
                    + "between 0 and 1, not " + v);
        }
        return v;
    }

    public int size() {
        return xs.length;
    }

    /** Whether the normalized point {@code (x, y)} is inside (even-odd rule; points on an edge may go either way). */
    public boolean contains(double x, double y) {
        boolean inside = false;
        for (int i = 0, j = xs.length - 1; i < xs.length; j = i++) {
            if ((ys[i] > y) != (ys[j] > y)) {
                double cross = xs[j] + (y - ys[j]) * (xs[i] - xs[j]) / (ys[i] - ys[j]);
                if (x < cross) {
                    inside = !inside;
                }
            }
        }
        return inside;
    }

    /**
     * The polygon drawn on a {@code width x height} picture: one byte per pixel, row after row, 1 where the pixel's
     * centre is inside, else 0. Done once per picture size, not per frame.
     */
    public byte[] rasterize(int width, int height) {
        byte[] mask = new byte[width * height];
        for (int y = 0; y < height; y++) {
            double ny = (y + 0.5) / height;
            for (int x = 0; x < width; x++) {
                if (contains((x + 0.5) / width, ny)) {
                    mask[y * width + x] = 1;
                }
            }
        }
        return mask;
    }

    private double signedArea() {
        double a = 0;
        for (int i = 0, j = xs.length - 1; i < xs.length; j = i++) {
            a += xs[j] * ys[i] - xs[i] * ys[j];
        }
        return a / 2;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Polygon p && Arrays.equals(xs, p.xs) && Arrays.equals(ys, p.ys);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(xs) + Arrays.hashCode(ys);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < xs.length; i++) {
            b.append(i == 0 ? "[" : ",[").append(xs[i]).append(',').append(ys[i]).append(']');
        }
        return b.append(']').toString();
    }
}
