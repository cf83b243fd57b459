package io.streamtee.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamtee.analyze.event.EventStore;
import io.streamtee.analyze.health.HealthSettings;
import io.streamtee.analyze.motion.MotionSettings;
import io.streamtee.analyze.motion.Polygon;
import io.streamtee.analyze.motion.TrackerSettings;
import io.streamtee.analyze.motion.Zone;
import io.streamtee.analyze.sink.ConfiguredSink;
import io.streamtee.analyze.sink.SinkUrl;
import io.streamtee.analyze.sink.Sinks;
import io.streamtee.config.ApiSettings;
import io.streamtee.config.ConfigException;
import io.streamtee.config.UrlVariables;
import io.streamtee.config.Endpoint;
import io.streamtee.config.Units;
import io.streamtee.config.Yaml;
import io.streamtee.ts.Tr101290;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * The analyzer's config file ({@code streamtee analyze -c analyze.yml}), read through core's {@link Yaml} and checked
 * value by value, so that a mistake is reported once, at start-up, as one line naming the file and the key:
 * {@code analyze.yml: analyze.zones.door.polygon: a polygon needs at least 3 points, not 2},
 * {@code analyze.yml: analyze.motion.treshold: unknown key (known: alpha, ...)}. Every key is optional; what the file
 * does not say is null here ({@link #listen()}, {@link #camera()}, ...) or the defaults ({@link #motion()}, ...), and
 * the command line decides ({@link AnalyzeCommand}: flags override single values and add to lists).
 *
 * <p>Sink URLs may refer to environment variables as {@code ${NAME}} ({@link UrlVariables#expand}), so a password need not
 * be written in the file. The sinks are built here (they connect only on their first delivery); whoever takes this
 * file's sinks closes them.
 */
public final class AnalyzeFile {
    private static final String KEY = "analyze.";
    private static final Set<String> ZONE_KEYS = Set.of("name", "polygon", "minShare");
    private static final Set<String> SINK_KEYS = Set.of("url", "cooldown");

    private final Endpoint listen;
    private final String camera;
    private final String events;
    private final String http;
    private final ApiSettings httpSettings;
    private final String httpProblem; // what is wrong with analyze.http, said when it is used (a flag may override it)
    private final String playback;
    private final MotionSettings motion;
    private final TrackerSettings tracker;
    private final HealthSettings health;
    private final List<Polygon> masks;
    private final List<Zone> zones;
    private final List<ConfiguredSink> sinks;

    private AnalyzeFile(Endpoint listen, String camera, String events, String http, ApiSettings httpSettings,
            String playback, MotionSettings motion, TrackerSettings tracker, HealthSettings health,
            List<Polygon> masks, List<Zone> zones, List<ConfiguredSink> sinks, String httpProblem) {
        this.listen = listen;
        this.camera = camera;
        this.events = events;
        this.http = http;
        this.httpSettings = httpSettings;
        this.httpProblem = httpProblem;
        this.playback = playback;
        this.motion = motion;
        this.tracker = tracker;
        this.health = health;
        this.masks = List.copyOf(masks);
        this.zones = List.copyOf(zones);
        this.sinks = List.copyOf(sinks);
    }

    /** What no file says: every value absent, the settings at their defaults, no masks, zones or sinks. */
    public static AnalyzeFile none() {
        return new AnalyzeFile(null, null, null, null, null, null, MotionSettings.defaults(), TrackerSettings.DEFAULTS,
                HealthSettings.DEFAULTS, List.of(), List.of(), List.of(), null);
    }

    /** Reads and checks a config file; its webhook and mail sinks find no snapshots. */
    public static AnalyzeFile load(Path file) {
        return load(file, null);
    }

    /**
     * Reads and checks a config file.
     *
     * @param snapshots where the file's webhook and mail sinks find events' snapshots, or null for nowhere
     */
    public static AnalyzeFile load(Path file, EventStore snapshots) {
        String text = Yaml.readFile(file);
        return parse(file.toString(), text, System::getenv, snapshots);
    }

    /**
     * Parses and checks YAML text.
     *
     * @param source names the text in errors (the file name)
     * @param env    looks up environment variables ({@code ${NAME}} in sink URLs, {@code STREAMTEE_API_TOKEN})
     * @throws ConfigException one line: {@code source: key: what is wrong}
     */
    public static AnalyzeFile parse(String source, String yaml, UnaryOperator<String> env) {
        return parse(source, yaml, env, null);
    }

    /** As {@link #parse(String, String, UnaryOperator)}, the sinks finding snapshots in {@code snapshots}. */
    public static AnalyzeFile parse(String source, String yaml, UnaryOperator<String> env, EventStore snapshots) {
        AnalyzeYaml raw = yaml.isBlank() ? null : Yaml.read(source, yaml, AnalyzeYaml.class);
        if (raw == null || raw.analyze() == null) {
            throw new ConfigException(source + ": empty config (expected an 'analyze:' section)");
        }
        try {
            return check(source, raw.analyze(), env, snapshots);
        } catch (ConfigException e) {
            throw new ConfigException(source + ": " + e.getMessage(), e);
        }
    }

    private static AnalyzeFile check(String source, AnalyzeYaml.Section s, UnaryOperator<String> env,
            EventStore snapshots) {
        Endpoint listen = null;
        if (s.listen() != null) {
            try {
                listen = Endpoint.parse(s.listen(), Endpoint.Role.INPUT);
            } catch (ConfigException e) {
                throw ConfigException.at(KEY + "listen", e.getMessage());
            }
            AnalyzerConfig.checkListen(KEY + "listen", listen);
        }
        if (s.camera() != null && s.camera().isBlank()) {
            throw ConfigException.at(KEY + "camera", "a name is needed");
        }
        String camera = s.camera() == null ? null : AnalyzerConfig.checkCamera(KEY + "camera", s.camera().strip());
        String events = null;
        if (s.events() != null) {
            if (s.events().isBlank()) {
                throw ConfigException.at(KEY + "events", "a file is needed, or off for none");
            }
            events = isOff(s.events()) ? "off" : s.events().strip();
        }
        String http = null;
        ApiSettings httpSettings = null;
        String httpProblem = null;
        if (s.http() != null) {
            if (isOff(s.http())) {
                http = "off";
            } else {
                http = s.http().strip();
                try {
                    httpSettings = ApiSettings.fromHttpFlag(KEY + "http", http, env);
                } catch (ConfigException e) {
                    // said when the address is used: --http on the command line overrides it
                    httpProblem = source + ": " + e.getMessage();
                }
            }
        }
        String playback = s.playback() == null ? null : isOff(s.playback()) ? "off" : playback(s.playback());
        if (playback != null && !playback.equals("off")) {
            ClipLinks.parse(KEY + "playback", playback); // what --playback takes; the file name is added above
        }
        MotionSettings motion = motion(s.motion());
        TrackerSettings tracker = tracker(s.motion());
        HealthSettings health = health(s.health());
        List<Polygon> masks = new ArrayList<>();
        List<JsonNode> maskNodes = s.masks() == null ? List.of() : s.masks();
        for (int i = 0; i < maskNodes.size(); i++) {
            masks.add(polygon(KEY + "masks[" + i + "]", maskNodes.get(i)));
        }
        List<Zone> zones = zones(s.zones());
        List<ConfiguredSink> sinks = new ArrayList<>();
        try {
            List<JsonNode> sinkNodes = s.sinks() == null ? List.of() : s.sinks();
            for (int i = 0; i < sinkNodes.size(); i++) {
                sinks.add(sink(KEY + "sinks[" + i + "]", sinkNodes.get(i), env, snapshots));
            }
        } catch (RuntimeException e) {
            closeQuietly(sinks);
            throw e;
        }
        return new AnalyzeFile(listen, camera, events, http, httpSettings, playback, motion, tracker, health, masks,
                zones, sinks, httpProblem);
    }

    /** {@code off}, and what YAML 1.1 reads {@code off} and {@code no} as: {@code false}. */
    private static boolean isOff(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        return t.equals("off") || t.equals("false") || t.equals("no");
    }

    private static String playback(String text) {
        String t = text.strip();
        try {
            URI uri = new URI(t);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
                return t.endsWith("/") ? t.substring(0, t.length() - 1) : t;
            }
        } catch (URISyntaxException e) {
            // the message below says what is expected
        }
        throw ConfigException.at(KEY + "playback", "expected the recorder's playback server as http://HOST:PORT "
                + "(e.g. http://127.0.0.1:8081), or off; not '" + t + "'");
    }

    private static MotionSettings motion(AnalyzeYaml.Motion m) {
        MotionSettings d = MotionSettings.defaults();
        if (m == null) {
            return d;
        }
        return new MotionSettings(or(m.frameHeight(), d.frameHeight()), or(m.threshold(), d.threshold()),
                or(m.minArea(), d.minArea()), or(m.lightningThreshold(), d.lightningThreshold()),
                or(m.contrastChange(), d.contrastChange()), or(m.minContrast(), d.minContrast()),
                or(m.calibrationAlpha(), d.calibrationAlpha()), or(m.alpha(), d.alpha()),
                or(m.motionAlpha(), d.motionAlpha()), or(m.calibrationFrames(), d.calibrationFrames()),
                or(m.maxBoxes(), d.maxBoxes()));
    }

    private static TrackerSettings tracker(AnalyzeYaml.Motion m) {
        TrackerSettings d = TrackerSettings.DEFAULTS;
        if (m == null) {
            return d;
        }
        return new TrackerSettings(or(m.startFrames(), d.startFrames()),
                m.endGap() == null ? d.endGap() : Units.duration(KEY + "motion.endGap", m.endGap()),
                m.updateEvery() == null ? d.updateEvery() : Units.duration(KEY + "motion.updateEvery",
                        m.updateEvery()));
    }

    private static HealthSettings health(AnalyzeYaml.Health h) {
        HealthSettings d = HealthSettings.DEFAULTS;
        if (h == null) {
            return d;
        }
        String key = KEY + "health.";
        long floor = d.bitrateFloor();
        if (h.bitrateFloor() != null) {
            floor = isOff(h.bitrateFloor()) ? 0 : Units.bitrate(key + "bitrateFloor", h.bitrateFloor());
        }
        Tr101290.Limits l = d.limits();
        AnalyzeYaml.Limits x = h.limits();
        if (x != null) {
            String lk = key + "limits.";
            l = new Tr101290.Limits(nanos(lk + "pat", x.pat(), l.patNanos()), nanos(lk + "pmt", x.pmt(), l.pmtNanos()),
                    nanos(lk + "pid", x.pid(), l.pidNanos()),
                    nanos(lk + "pcrRepetition", x.pcrRepetition(), l.pcrRepetitionNanos()),
                    nanos(lk + "pcrDiscontinuity", x.pcrDiscontinuity(), l.pcrDiscontinuityNanos()),
                    nanos(lk + "pts", x.pts(), l.ptsNanos()));
        }
        try {
            return new HealthSettings(duration(key + "quietTime", h.quietTime(), d.quietTime(), false),
                    duration(key + "lostAfter", h.lostAfter(), d.lostAfter(), true),
                    duration(key + "backConfirm", h.backConfirm(), d.backConfirm(), false), floor,
                    duration(key + "bitrateLowFor", h.bitrateLowFor(), d.bitrateLowFor(), false),
                    duration(key + "bitrateWindow", h.bitrateWindow(), d.bitrateWindow(), true), l);
        } catch (ConfigException e) {
            // HealthSettings names its keys without the section (the checks above catch what it checks today)
            throw e.getMessage().startsWith(KEY) ? e : ConfigException.at(key.substring(0, key.length() - 1),
                    e.getMessage());
        }
    }

    private static Duration duration(String key, String text, Duration dflt, boolean positive) {
        if (text == null) {
            return dflt;
        }
        Duration d = Units.duration(key, text);
        if (positive && d.isZero()) {
            throw ConfigException.at(key, "must be more than 0");
        }
        return d;
    }

    private static long nanos(String key, String text, long dflt) {
        return text == null ? dflt : duration(key, text, null, true).toNanos();
    }

    private static <T> T or(T value, T dflt) {
        return value == null ? dflt : value;
    }

    /** A polygon written as text ({@code "[[0,0],[1,0],[1,1]]"}) or as a YAML list of {@code [x, y]} pairs. */
    static Polygon polygon(String key, JsonNode node) {
        if (node == null || node.isNull()) {
            throw ConfigException.at(key, "missing (a polygon: a list of [x,y] points, e.g. [[0,0],[1,0],[1,1]])");
        }
        if (node.isTextual()) {
            return Polygon.parse(key, node.asText());
        }
        if (!node.isArray()) {
            throw ConfigException.at(key, "expected a polygon: a list of [x,y] points, e.g. [[0,0],[1,0],[1,1]]");
        }
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode p = node.get(i);
            if (!p.isArray() || p.size() != 2 || !p.get(0).isNumber() || !p.get(1).isNumber()) {
                throw ConfigException.at(key, "point " + (i + 1) + " must be [x,y], two numbers, not " + p);
            }
            points.add(new double[] {p.get(0).asDouble(), p.get(1).asDouble()});
        }
        return Polygon.of(key, points);
    }

    /**
     * Zones as a list of {@code {name, polygon, minShare}} or as a mapping from name to a polygon or to
     * {@code {polygon, minShare}}; errors name a zone by its name once it has one.
     */
    private static List<Zone> zones(JsonNode node) {
        List<Zone> zones = new ArrayList<>();
        if (node == null || node.isNull()) {
            return zones;
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode value = e.getValue();
                if (value != null && value.isObject() && value.has("name")) {
                    throw ConfigException.at(KEY + "zones." + e.getKey() + ".name", "unknown key here: the zone's"
                            + " name is its key (known: minShare, polygon)");
                }
                zones.add(zone(KEY + "zones." + e.getKey(), e.getKey(), value, zones));
            }
            return zones;
        }
        if (!node.isArray()) {
            throw ConfigException.at(KEY + "zones", "expected a list of {name, polygon, minShare}");
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode z = node.get(i);
            String at = KEY + "zones[" + i + "]";
            if (!z.isObject()) {
                throw ConfigException.at(at, "expected {name: NAME, polygon: [[x,y],...], minShare: 0.3}");
            }
            JsonNode name = z.get("name");
            if (name == null || !name.isTextual() || name.asText().isBlank()) {
                throw ConfigException.at(at + ".name", "missing (letters, digits, _ and -)");
            }
            zones.add(zone(KEY + "zones." + name.asText(), name.asText(), z, zones));
        }
        return zones;
    }

    private static Zone zone(String key, String name, JsonNode value, List<Zone> before) {
        if (!name.matches("[A-Za-z0-9_-]+")) {
            throw ConfigException.at(key, "a zone name is letters, digits, _ and -, not '" + name + "'");
        }
        if (before.stream().anyMatch(z -> z.name().equals(name))) {
            throw ConfigException.at(key, "the zone '" + name + "' is given twice");
        }
        if (value == null || !value.isObject()) {
            return Zone.of(name, polygon(key, value));
        }
        unknownKeys(key, value, ZONE_KEYS);
        Polygon polygon = polygon(key + ".polygon", value.get("polygon"));
        JsonNode share = value.get("minShare");
        if (share != null && !share.isNull() && !share.isNumber()) {
            throw ConfigException.at(key + ".minShare", "expected a number between 0 and 1, not " + share);
        }
        return new Zone(name, polygon, share == null || share.isNull() ? 0 : share.asDouble());
    }

    /** A sink: its URL, or {@code {url, cooldown}}. */
    private static ConfiguredSink sink(String key, JsonNode node, UnaryOperator<String> env, EventStore snapshots) {
        if (node != null && node.isTextual()) {
            return configure(key, node.asText(), null, env, snapshots);
        }
        if (node == null || !node.isObject()) {
            throw ConfigException.at(key, "expected a sink URL, or {url: URL, cooldown: 5m}");
        }
        unknownKeys(key, node, SINK_KEYS);
        JsonNode url = node.get("url");
        if (url == null || !url.isTextual() || url.asText().isBlank()) {
            throw ConfigException.at(key + ".url", "missing (e.g. mqtt://127.0.0.1:1883)");
        }
        JsonNode cooldown = node.get("cooldown");
        Duration d = null;
        if (cooldown != null && !cooldown.isNull()) {
            d = isOff(cooldown.asText()) ? Duration.ZERO : Units.duration(key + ".cooldown", cooldown.asText());
        }
        return configure(key + ".url", url.asText(), d, env, snapshots);
    }

    private static ConfiguredSink configure(String key, String url, Duration cooldown, UnaryOperator<String> env,
            EventStore snapshots) {
        try {
            return Sinks.configure(UrlVariables.expand(url, env), cooldown, snapshots);
        } catch (ConfigException e) {
            throw ConfigException.at(key, e.getMessage());
        }
    }

    private static void unknownKeys(String key, JsonNode node, Set<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!known.contains(field)) {
                throw ConfigException.at(key + "." + field, "unknown key (known: "
                        + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
    }

    private static void closeQuietly(List<ConfiguredSink> sinks) {
        for (ConfiguredSink s : sinks) {
            try {
                s.sink().close();
            } catch (Exception ignored) {
                // nothing was delivered yet; closing is only tidying up
            }
        }
    }

    /** {@code analyze.listen}, or null when the file does not say. */
    public Endpoint listen() {
        return listen;
    }

    /** {@code analyze.camera}, or null. */
    public String camera() {
        return camera;
    }

    /** {@code analyze.events}: a file, {@code off}, or null when the file does not say. */
    public String events() {
        return events;
    }

    /**
     * {@code analyze.http}, the address of the analyzer's web server as written (the value {@code --http} takes):
     * {@code host:port}, {@code off}, or null when the file does not say. Checked: {@link #httpSettings()}.
     */
    public String http() {
        return http;
    }

    /**
     * {@code analyze.http} checked as {@code --http} is (a loopback address, or a token in
     * {@code STREAMTEE_API_TOKEN}); null when it is off or not given.
     */
    public ApiSettings httpSettings() {
        if (httpProblem != null) {
            throw new ConfigException(httpProblem);
        }
        return httpSettings;
    }

    /**
     * {@code analyze.playback}, the recorder's playback server (the value {@code --playback} takes):
     * {@code http://host:port} without a trailing {@code /}, {@code off}, or null when the file does not say.
     */
    public String playback() {
        return playback;
    }

    /** {@code analyze.motion}: the detector's settings, the defaults where the file says nothing. */
    public MotionSettings motion() {
        return motion;
    }

    /** {@code analyze.motion.startFrames}, {@code endGap} and {@code updateEvery}, defaults filled in. */
    public TrackerSettings tracker() {
        return tracker;
    }

    /** {@code analyze.health}, defaults filled in. */
    public HealthSettings health() {
        return health;
    }

    /** {@code analyze.masks}, in order. */
    public List<Polygon> masks() {
        return masks;
    }

    /** {@code analyze.zones}, in order. */
    public List<Zone> zones() {
        return zones;
    }

    /** {@code analyze.sinks}, in order, built but not connected; the taker closes them. */
    public List<ConfiguredSink> sinks() {
        return sinks;
    }

    /** Which values the file gives; never a secret. */
    @Override
    public String toString() {
        return "AnalyzeFile[listen=" + (listen == null ? null : listen.url()) + ", camera=" + camera + ", events="
                + events + ", http=" + http + ", playback=" + playback + ", " + motion + ", " + tracker + ", "
                + health + ", " + masks.size() + " mask(s), zones=" + zones.stream().map(Zone::name).toList()
                + ", sinks=" + sinks + "]";
    }
}
