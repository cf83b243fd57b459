package io.streamtee.serve;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import io.streamtee.config.Units;
import io.streamtee.record.RecorderConfig;
import io.streamtee.record.StoreConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A camera's {@code record:} section: {@code {dir, segment, keep, maxSize, store}}, each value checked as the
 * recorder checks its flags ({@link StoreConfig}, then a whole {@link RecorderConfig}), errors named by key path.
 */
final class RecordSection {
    private static final List<String> RECORD_KEYS = List.of("dir", "segment", "keep", "maxSize", "store");
    private static final List<String> STORE_KEYS = List.of("url", "endpoint", "region", "pathStyle");
    /** Checks a recorder's values; the wiring gives the recorder its real address. */
    private static final Endpoint ANY_UDP = Endpoint.parse("udp://127.0.0.1:0", Endpoint.Role.INPUT);

    private RecordSection() {
    }

    /**
     * Checks the section.
     *
     * @param key    its key path, e.g. {@code cameras.front.record}
     * @param node   a mapping, or null or {@code true} for the defaults
     * @param camera the camera's name
     * @param data   the data directory: the default {@code dir}
     */
    static RecordSettings check(String key, JsonNode node, String camera, Path data) {
        Duration segment = RecorderConfig.DEFAULT_SEGMENT;
        Duration keep = Duration.ZERO;
        long maxBytes = 0;
        Path dir = data;
        StoreConfig store = null;
        if (node != null && node.isObject()) {
            KnownKeys.check(key, node, RECORD_KEYS);
            dir = Path.of(ServeYaml.text(key + ".dir", node.get("dir"), data.toString()));
            String s = ServeYaml.text(key + ".segment", node.get("segment"), null);
            if (s != null) {
                segment = Units.duration(key + ".segment", s);
                if (segment.toMillis() < 100) {
                    throw ConfigException.at(key + ".segment", "must be at least 100ms, got " + s);
                }
            }
            String k = ServeYaml.text(key + ".keep", node.get("keep"), null);
            if (k != null && !ServeYaml.offText(k)) {
                keep = Units.duration(key + ".keep", k);
            }
            String m = ServeYaml.text(key + ".maxSize", node.get("maxSize"), null);
            if (m != null && !ServeYaml.offText(m)) {
                maxBytes = Units.bytes(key + ".maxSize", m);
            }
            store = store(key + ".store", node.get("store"));
        }
        RecordSettings settings = new RecordSettings(dir, segment, keep, maxBytes, store);
        try {
            settings.recorderConfig(camera, ANY_UDP); // the recorder's own checks
        } catch (ConfigException e) {
            throw ConfigException.at(key, e.getMessage());
        }
        return settings;
    }

    /** {@code store: s3://bucket/prefix}, or {@code {url, endpoint, region, pathStyle}}. */
    private static StoreConfig store(String key, JsonNode node) {
        if (node == null || node.isNull() || node.isBoolean() && !node.asBoolean()) {
            return null;
        }
        try {
            if (node.isTextual()) {
                return StoreConfig.parse(node.asText().strip());
            }
            ServeYaml.mapping(key, node);
            KnownKeys.check(key, node, STORE_KEYS);
            String url = ServeYaml.text(key + ".url", node.get("url"), null);
            if (url == null) {
                throw ConfigException.at(key + ".url", "missing (e.g. s3://bucket/prefix)");
            }
            StoreConfig store = StoreConfig.parse(url.strip());
            String endpoint = ServeYaml.text(key + ".endpoint", node.get("endpoint"), null);
            if (endpoint != null) {
                store = store.withEndpoint(StoreConfig.endpoint(endpoint.strip()));
            }
            String region = ServeYaml.text(key + ".region", node.get("region"), null);
            if (region != null) {
                store = store.withRegion(region.strip());
            }
            JsonNode pathStyle = node.get("pathStyle");
            if (pathStyle != null && !pathStyle.isNull()) {
                if (!pathStyle.isBoolean()) {
                    throw ConfigException.at(key + ".pathStyle", "expected true or false");
                }
                store = new StoreConfig(store.bucket(), store.prefix(), store.endpoint(), store.region(),
                        pathStyle.asBoolean());
            }
            return store;
        } catch (ConfigException e) {
            // the record module names its flags: --store, --store-endpoint, --store-region
            throw new ConfigException(e.getMessage().replaceFirst("^--store-endpoint:", key + ".endpoint:")
                    .replaceFirst("^--store-region:", key + ".region:").replaceFirst("^--store:",
                            key + (node.isTextual() ? ":" : ".url:")), e);
        }
    }
}
