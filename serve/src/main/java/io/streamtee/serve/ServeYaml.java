package io.streamtee.serve;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.streamtee.analyze.AnalyzeFile;
import io.streamtee.analyze.event.EventStore;
import io.streamtee.config.ApiConfig;
import io.streamtee.config.ApiSettings;
import io.streamtee.config.CameraName;
import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import io.streamtee.config.Yaml;
import io.streamtee.relay.config.ConfigLoader;
import io.streamtee.relay.config.RouteConfig;
import io.streamtee.relay.config.RouteSpec;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Reads and checks the {@code serve} YAML file (every key is described in {@code serve.example.yml}), reusing each
 * service's own checks so that a value means the same here as in its own command:
 *
 * <ul>
 *   <li>{@code web}: core's {@link ApiSettings#check} (the token rule; the token also from
 *       {@code STREAMTEE_API_TOKEN});
 *   <li>a camera's {@code input}, {@code allow} and {@code outputs}: the relay's {@link ConfigLoader#checkRoute};
 *   <li>{@code record}: the record module's own checks ({@link RecordSection});
 *   <li>{@code analyze}: the analyzer's own file format ({@link AnalyzeFile}), less the keys serve decides;
 *   <li>camera names: core's {@link CameraName}.
 * </ul>
 *
 * <p>A mistake is one line naming the key path: {@code serve.yml: cameras.front.inpt: unknown key (did you mean
 * input?)}. Defaults make a camera with only {@code input:} recorded (under {@code data/NAME}), analyzed and viewable.
 */
public final class ServeYaml {
    private static final List<String> TOP_KEYS = List.of("web", "data", "cameras");
    private static final List<String> WEB_KEYS = List.of("listen", "token", "url");
    private static final List<String> CAMERA_KEYS = List.of("input", "allow", "outputs", "record", "analyze", "view");
    /** The analyze section's keys that serve sets itself: the stream, the camera's name, the web server, playback. */
    private static final List<String> ANALYZE_SET_BY_SERVE = List.of("listen", "camera", "http", "playback");
    /** The relay's route check wants one output; serve's services are outputs the wiring adds. */
    private static final String PLACEHOLDER_OUTPUT = "udp://127.0.0.1:9";
    private static final ObjectMapper YAML_OUT = new ObjectMapper(new YAMLFactory());
    /** Reads the text again, refusing a key given twice (which would silently drop a camera). */
    private static final YAMLFactory STRICT = YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final String INNER = "serve-section";

    private ServeYaml() {
    }

    /** Reads and checks a config file, the environment from {@link System#getenv}. */
    public static ServeConfig load(Path file) {
        String text = Yaml.readFile(file);
        return parse(file.toString(), text, System::getenv);
    }

    /**
     * Parses and checks YAML text.
     *
     * @param source names the text in errors (the file name)
     * @param env    looks up environment variables ({@code STREAMTEE_API_TOKEN}, {@code ${NAME}} in sink URLs)
     * @throws ConfigException one line: {@code source: key: what is wrong}
     */
    public static ServeConfig parse(String source, String yaml, UnaryOperator<String> env) {
        JsonNode root = yaml.isBlank() ? null : Yaml.read(source, yaml, JsonNode.class);
        if (root == null || root.isNull() || root.isMissingNode()) {
            throw new ConfigException(source + ": empty config (expected a 'cameras:' section)");
        }
        noDuplicates(source, yaml);
        try {
            return check(root, env);
        } catch (ConfigException e) {
            throw new ConfigException(source + ": " + e.getMessage(), e);
        }
    }

    /** A key given twice in one mapping: one line naming it (YAML would keep the last silently). */
    private static void noDuplicates(String source, String yaml) {
        try (JsonParser p = STRICT.createParser(yaml)) {
            try {
                while (p.nextToken() != null) {
                    // the parser's context checks each mapping's keys
                }
            } catch (StreamReadException e) {
                if (String.valueOf(e.getOriginalMessage()).startsWith("Duplicate field")) {
                    throw new ConfigException(source + ": " + path(p.getParsingContext()) + ": given twice", e);
                }
                throw new ConfigException(source + ": " + e.getOriginalMessage(), e); // read once already
            }
        } catch (IOException e) {
            throw new ConfigException(source + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /** The key path of a parser's place: {@code cameras.front.allow[1]}. */
    private static String path(JsonStreamContext at) {
        List<String> parts = new ArrayList<>();
        for (JsonStreamContext c = at; c != null && !c.inRoot(); c = c.getParent()) {
            parts.add(0, c.inArray() ? "[" + c.getCurrentIndex() + "]" : "." + c.getCurrentName());
        }
        String path = String.join("", parts);
        return path.startsWith(".") ? path.substring(1) : path;
    }

    private static ServeConfig check(JsonNode root, UnaryOperator<String> env) {
        mapping("(top level)", root);
        KnownKeys.check("", root, TOP_KEYS);
        ApiSettings web = web(root.get("web"), env);
        String url = webUrl(root.get("web"));
        Path data = Path.of(text("data", root.get("data"), ServeConfig.DEFAULT_DATA));
        JsonNode cams = root.get("cameras");
        if (cams == null || cams.isNull() || cams.isObject() && cams.isEmpty()) {
            throw ConfigException.at("cameras", "no cameras (at least one, e.g. front: {input: udp://0.0.0.0:8100})");
        }
        mapping("cameras", cams);
        Map<String, ServeConfig.Camera> cameras = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, JsonNode> e : cams.properties()) {
                ServeConfig.Camera camera = camera(e.getKey(), e.getValue(), data, env);
                cameras.put(camera.name(), camera);
                samePort(camera, cameras);
            }
        } catch (RuntimeException e) {
            ServeConfig.closeSinks(new ArrayList<>(cameras.values()));
            throw e;
        }
        return new ServeConfig(web, url, data, cameras);
    }

    /** {@code web.url}: an http(s) URL with a host and no query, without its trailing slash; null when not given. */
    private static String webUrl(JsonNode web) {
        String text = web == null || !web.isObject() ? null : text("web.url", web.get("url"), null);
        if (text == null) {
            return null;
        }
        URI uri = null;
        try {
            uri = URI.create(text.strip());
        } catch (IllegalArgumentException e) {
            // the message below
        }
        if (uri == null || uri.getScheme() == null || !(uri.getScheme().equalsIgnoreCase("http")
                || uri.getScheme().equalsIgnoreCase("https")) || uri.getHost() == null
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw ConfigException.at("web.url", "expected the address people open the page at, e.g."
                    + " https://cams.example.org or http://192.168.1.5:8080, not '" + text + "'");
        }
        return text.strip().replaceAll("/+$", "");
    }

    private static ApiSettings web(JsonNode node, UnaryOperator<String> env) {
        String listen = ServeConfig.DEFAULT_LISTEN;
        String token = null;
        if (node != null && !node.isNull()) {
            mapping("web", node);
            KnownKeys.check("web", node, WEB_KEYS);
            listen = text("web.listen", node.get("listen"), listen);
            token = text("web.token", node.get("token"), null);
        }
        return ApiSettings.check("web", new ApiConfig(listen, token != null ? token : env.apply("STREAMTEE_API_TOKEN")));
    }

    private static ServeConfig.Camera camera(String name, JsonNode node, Path data, UnaryOperator<String> env) {
        String key = "cameras." + CameraName.shown(name);
        if (!CameraName.isValid(name)) {
            throw ConfigException.at(key, "'" + CameraName.shown(name) + "' is not a camera name (1-64 letters, digits,"
                    + " '.', '_' or '-', starting with a letter or digit)");
        }
        if (node == null || node.isNull()) {
            throw ConfigException.at(key + ".input", "missing (e.g. udp://0.0.0.0:8100)");
        }
        mapping(key, node);
        KnownKeys.check(key, node, CAMERA_KEYS);
        String input = text(key + ".input", node.get("input"), null);
        if (input == null) {
            throw ConfigException.at(key + ".input", "missing (e.g. udp://0.0.0.0:8100)");
        }
        List<String> allow = texts(key + ".allow", node.get("allow"));
        List<String> outputs = new ArrayList<>(texts(key + ".outputs", node.get("outputs")));
        int extra = outputs.size();
        outputs.add(PLACEHOLDER_OUTPUT);
        RouteSpec checked;
        try {
            checked = ConfigLoader.checkRoute(name, RouteConfig.of(input, allow, outputs), env);
        } catch (ConfigException e) {
            throw new ConfigException(rekey(e.getMessage(), "routes." + name, key), e);
        }
        RouteSpec route = new RouteSpec(checked.name(), checked.input(), checked.allow(),
                checked.outputs().subList(0, extra), checked.receiveBuffer(), checked.sendBuffer(), checked.workers(),
                checked.gso());
        RecordSettings record = isOff(key + ".record", node.get("record")) ? null
                : RecordSection.check(key + ".record", node.get("record"), name, data);
        // before the analyzer's section, whose sinks are built as it is read
        boolean view = !isOff(key + ".view", node.get("view"));
        JsonNode v = node.get("view");
        if (v != null && v.isObject() && !v.isEmpty()) {
            throw ConfigException.at(key + ".view." + v.fieldNames().next(), "unknown key (view has no settings yet:"
                    + " {}, true or false)");
        }
        AnalyzeFile analyze = null;
        EventStore store = null;
        String analyzeSource = null;
        if (!isOff(key + ".analyze", node.get("analyze"))) {
            store = new EventStore();
            analyzeSource = analyzeText(key + ".analyze", node.get("analyze"));
            analyze = analyze(key + ".analyze", analyzeSource, env, store);
        }
        return new ServeConfig.Camera(name, route, record, analyze, view, store, analyzeSource);
    }

    /** Two cameras may not listen on one port: the second would take the first's datagrams, or fail to bind. */
    private static void samePort(ServeConfig.Camera camera, Map<String, ServeConfig.Camera> cameras) {
        Endpoint in = camera.route().input();
        if (!in.isUdp() && !"tcp".equals(in.scheme()) || in.address().getPort() == 0) {
            return; // port 0: any free port, never another camera's
        }
        for (ServeConfig.Camera other : cameras.values()) {
            Endpoint o = other.route().input();
            if (other == camera || !o.scheme().equals(in.scheme()) || o.address().getPort() != in.address().getPort()) {
                continue;
            }
            boolean overlap = o.address().getAddress().equals(in.address().getAddress())
                    || o.address().getAddress().isAnyLocalAddress() || in.address().getAddress().isAnyLocalAddress();
            if (overlap) {
                throw ConfigException.at("cameras." + camera.name() + ".input", in.scheme() + " port "
                        + in.address().getPort() + " is already the input of camera " + other.name()
                        + " (each camera needs a port of its own)");
            }
        }
    }

    /**
     * The analyzer's section, checked by the analyzer's own file reader: the section is written back as an
     * {@code analyze:} file and read by {@link AnalyzeFile#parse}, whose key paths are then moved under the camera.
     */
    private static String analyzeText(String key, JsonNode node) {
        ObjectNode section;
        if (node == null || node.isNull() || node.isBoolean()) {
            section = JsonNodeFactory.instance.objectNode();
        } else {
            mapping(key, node);
            section = (ObjectNode) node;
            for (String own : ANALYZE_SET_BY_SERVE) {
                if (section.has(own)) {
                    throw ConfigException.at(key + "." + own, "set by serve for each camera, not in the file");
                }
            }
        }
        ObjectNode file = JsonNodeFactory.instance.objectNode();
        file.set("analyze", section);
        String text;
        try {
            text = YAML_OUT.writeValueAsString(file);
        } catch (JsonProcessingException e) {
            throw ConfigException.at(key, "cannot be read (" + e.getOriginalMessage() + ")");
        }
        return text;
    }

    private static AnalyzeFile analyze(String key, String text, UnaryOperator<String> env, EventStore store) {
        try {
            return AnalyzeFile.parse(INNER, text, env, store);
        } catch (ConfigException e) {
            String m = e.getMessage().startsWith(INNER + ": ") ? e.getMessage().substring(INNER.length() + 2)
                    : e.getMessage();
            throw new ConfigException(rekey(m, "analyze", key), e);
        }
    }

    /** A message about {@code from} or {@code from.x} made about {@code to} or {@code to.x}. */
    private static String rekey(String message, String from, String to) {
        if (message.startsWith(from + ".") || message.startsWith(from + ":") || message.startsWith(from + "[")) {
            return to + message.substring(from.length());
        }
        return to + ": " + message;
    }

    /** {@code false} turns a service off; absent, {@code true} or a mapping keep it on. */
    private static boolean isOff(String key, JsonNode node) {
        if (node == null || node.isNull() || node.isObject()) {
            return false;
        }
        if (node.isBoolean()) {
            return !node.asBoolean();
        }
        throw ConfigException.at(key, "expected a mapping, true or false, not " + node);
    }

    /** {@code off}, or what YAML reads {@code off} and {@code no} as: {@code false}. As the analyzer's file. */
    static boolean offText(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        return t.equals("off") || t.equals("false") || t.equals("no");
    }

    static void mapping(String key, JsonNode node) {
        if (!node.isObject()) {
            throw ConfigException.at(key, "expected a mapping (key: value lines), not " + node);
        }
    }

    static String text(String key, JsonNode node, String dflt) {
        if (node == null || node.isNull()) {
            return dflt;
        }
        if (!node.isValueNode() || node.asText().isBlank()) {
            throw ConfigException.at(key, "expected a value, not " + node);
        }
        return node.asText();
    }

    private static List<String> texts(String key, JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw ConfigException.at(key, "expected a list, e.g. [a, b]");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            out.add(text(key + "[" + i + "]", node.get(i), null));
            if (out.get(i) == null) {
                throw ConfigException.at(key + "[" + i + "]", "empty");
            }
        }
        return out;
    }
}
