package io.streamtee.relay.config;

import io.streamtee.config.ApiConfig;
import io.streamtee.config.ApiSettings;
import io.streamtee.config.Cidr;
import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import io.streamtee.config.Units;
import io.streamtee.config.UrlVariables;
import io.streamtee.config.Yaml;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads the YAML config (through core's {@link Yaml}: a syntax error says file, line and column) and checks every value, so that a mistake is reported once, at start-up, naming the key:
 * {@code streamtee.yml: routes.frontdoor.outptus: unknown key (known: allow, gso, input, ...)}.
 */
public final class ConfigLoader {
    private static final Pattern ROUTE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private ConfigLoader() {
    }

    /** Loads and checks a config file. */
    public static RelaySettings load(Path file) {
        String text = Yaml.readFile(file);
        return parse(file.toString(), text);
    }

    /** Parses and checks YAML text; {@code source} names it in error messages. */
    public static RelaySettings parse(String source, String yaml) {
        RelayConfig raw = Yaml.read(source, yaml, RelayConfig.class);
        if (raw == null) {
            throw new ConfigException(source + ": empty config (expected a 'routes:' section)");
        }
        try {
            return check(raw);
        } catch (ConfigException e) {
            throw new ConfigException(source + ": " + e.getMessage(), e);
        }
    }

    /** Checks a config built in code or from flags. */
    public static RelaySettings check(RelayConfig raw) {
        if (raw.routes() == null || raw.routes().isEmpty()) {
            throw ConfigException.at("routes", "no routes (at least one route with an input and outputs is needed)");
        }
        List<RouteSpec> routes = new ArrayList<>();
        for (Map.Entry<String, RouteConfig> e : raw.routes().entrySet()) {
            routes.add(checkRoute(e.getKey(), e.getValue()));
        }
        Duration stats = raw.statsInterval() == null ? Duration.ofSeconds(60)
                : Units.duration("statsInterval", raw.statsInterval());
        RelaySettings.Transport transport = raw.transport() == null ? RelaySettings.Transport.AUTO
                : parseEnum(RelaySettings.Transport.class, "transport", raw.transport());
        ApiSettings api = raw.api() == null ? null : ApiSettings.check("api", withEnvToken(raw.api()));
        return new RelaySettings(routes, stats, transport, api);
    }

    /** The token from STREAMTEE_API_TOKEN when the config names none, so that it need not be written in a file. */
    static ApiConfig withEnvToken(ApiConfig api) {
        String env = System.getenv("STREAMTEE_API_TOKEN");
        return api.token() == null && env != null ? new ApiConfig(api.listen(), env) : api;
    }

    /** Checks one route; {@code ${NAME}} in its URLs comes from the process's environment. */
    public static RouteSpec checkRoute(String name, RouteConfig route) {
        return checkRoute(name, route, System::getenv);
    }

    /**
     * Checks one route: every value, each error naming its key. {@code ${NAME}} in the input and output URLs is
     * replaced by {@code env}'s value ({@link UrlVariables}), so a camera's password need not be in the file.
     */
    public static RouteSpec checkRoute(String name, RouteConfig route, UnaryOperator<String> env) {
        String key = "routes." + name;
        if (name == null || !ROUTE_NAME.matcher(name).matches()) {
            throw ConfigException.at(key, "route name '" + name + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
        if (route == null) {
            throw ConfigException.at(key, "empty route (expected input and outputs)");
        }
        if (route.input() == null) {
            throw ConfigException.at(key + ".input", "missing (e.g. udp://0.0.0.0:8100)");
        }
        Endpoint input = endpoint(key + ".input", route.input(), Endpoint.Role.INPUT, env);
        List<Cidr> allow = new ArrayList<>();
        List<String> allowText = route.allow() == null ? List.of() : route.allow();
        for (int i = 0; i < allowText.size(); i++) {
            try {
                allow.add(Cidr.parse(allowText.get(i)));
            } catch (ConfigException e) {
                throw ConfigException.at(key + ".allow[" + i + "]", e.getMessage());
            }
        }
        List<String> outputText = route.outputs() == null ? List.of() : route.outputs();
        List<Endpoint> outputs = new ArrayList<>();
        for (int i = 0; i < outputText.size(); i++) {
            Endpoint out = endpoint(key + ".outputs[" + i + "]", outputText.get(i), Endpoint.Role.OUTPUT, env);
            if (out.address().getAddress().isAnyLocalAddress()) {
                throw ConfigException.at(key + ".outputs[" + i + "]", "'" + out.masked() + "' is a wildcard address, not a"
                        + " destination");
            }
            outputs.add(out);
        }
        if (outputs.isEmpty()) {
            throw ConfigException.at(key + ".outputs", "no outputs (add at least one, e.g. udp://127.0.0.1:8101)");
        }
        int rcvbuf = intSize(key + ".receiveBuffer", route.receiveBuffer(), RouteSpec.DEFAULT_RECEIVE_BUFFER);
        int sndbuf = intSize(key + ".sendBuffer", route.sendBuffer(), RouteSpec.DEFAULT_SEND_BUFFER);
        int workers = route.workers() == null ? 1 : route.workers();
        if (workers < 1 || workers > 64) {
            throw ConfigException.at(key + ".workers", workers + " is out of range 1-64");
        }
        if (workers > 1 && input.isMulticast()) {
            // SO_REUSEPORT shares unicast between sockets, but every socket gets every multicast datagram.
            throw ConfigException.at(key + ".workers", "a multicast input takes workers: 1 (each worker would get"
                    + " every datagram)");
        }
        RouteSpec.Gso gso = route.gso() == null ? RouteSpec.Gso.AUTO
                : parseEnum(RouteSpec.Gso.class, key + ".gso", route.gso());
        return new RouteSpec(name, input, allow, outputs, rcvbuf, sndbuf, workers, gso);
    }

    private static Endpoint endpoint(String key, String text, Endpoint.Role role, UnaryOperator<String> env) {
        try {
            return Endpoint.parse(UrlVariables.expand(text, env), role);
        } catch (ConfigException e) {
            throw ConfigException.at(key, e.getMessage());
        }
    }

    private static int intSize(String key, String text, int dflt) {
        if (text == null) {
            return dflt;
        }
        long v = Units.bytes(key, text);
        if (v < 1024 || v > Integer.MAX_VALUE) {
            throw ConfigException.at(key, "'" + text + "' is out of range 1KiB-2GiB");
        }
        return (int) v;
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String key, String text) {
        try {
            return Enum.valueOf(type, text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            String known = java.util.Arrays.stream(type.getEnumConstants())
                    .map(c -> c.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "));
            throw ConfigException.at(key, "'" + text + "' is not one of " + known);
        }
    }
}
