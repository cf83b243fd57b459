package io.streamtee.relay;

import io.streamtee.cli.Signals;
import io.streamtee.config.ApiSettings;
import io.streamtee.config.ConfigException;
import io.streamtee.relay.config.ConfigLoader;
import io.streamtee.relay.config.ConfigWatcher;
import io.streamtee.relay.config.RelayConfig;
import io.streamtee.relay.config.RelaySettings;
import io.streamtee.relay.config.RouteConfig;
import io.streamtee.relay.http.ControlServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code streamtee relay}: receive UDP on one address, send every datagram, unchanged, to every output. */
@Command(name = "relay", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {
            "Receive UDP datagrams and send each one, byte-identical and in order, to every output. One slow or dead"
                    + " output never slows the others.",
            ""},
        footer = {
            "",
            "Examples:",
            "  streamtee relay --listen udp://0.0.0.0:8100 --to 127.0.0.1:8101 --to 127.0.0.1:8102",
            "  streamtee relay --listen 'udp://239.1.1.1:5000?iface=eth0' --to 'udp://239.2.2.2:5000?ttl=4'",
            "  streamtee relay --config streamtee.yml"})
public final class RelayCommand implements Callable<Integer> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RelayCommand.class);

    @Option(names = "--listen", paramLabel = "URL",
            description = "Input: udp://host:port (unicast or multicast group; ?iface=NAME, ?source=ADDR for SSM).")
    String listen;

    @Option(names = "--to", paramLabel = "URL",
            description = "Output (repeat for more): host:port or udp://host:port (multicast: ?ttl=N&iface=NAME&loop=0|1).")
    List<String> to = new ArrayList<>();

    @Option(names = "--name", paramLabel = "NAME", defaultValue = "default",
            description = "Name of the route in logs and metrics (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--allow", paramLabel = "CIDR",
            description = "Accept datagrams only from these sources (repeat for more), e.g. 10.0.0.7/32.")
    List<String> allow = new ArrayList<>();

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "YAML config with one or more routes.")
    Path config;

    @Option(names = "--stats-interval", paramLabel = "DURATION",
            description = "Log a summary line this often, e.g. 10s; 0 = only at exit (default: 60s).")
    String statsInterval;

    @Option(names = "--receive-buffer", paramLabel = "SIZE", description = "SO_RCVBUF of the input (default: 8MiB).")
    String receiveBuffer;

    @Option(names = "--send-buffer", paramLabel = "SIZE",
            description = "SO_SNDBUF and queue limit of each output (default: 1MiB).")
    String sendBuffer;

    @Option(names = "--workers", paramLabel = "N",
            description = "Input sockets sharing the port with SO_REUSEPORT, one thread each (default: 1).")
    Integer workers;

    @Option(names = "--gso", paramLabel = "MODE", description = "UDP GSO for outputs: auto, on, off (default: auto).")
    String gso;

    @Option(names = "--api", paramLabel = "HOST:PORT",
            description = "Serve the control API, /metrics and the status page here, e.g. 127.0.0.1:8088 (default: none,"
                    + " or api.listen in the config).")
    String api;

    @Option(names = "--api-token", paramLabel = "TOKEN",
            description = "Bearer token the API requires; needed off loopback (or set STREAMTEE_API_TOKEN).")
    String apiToken;

    @Option(names = "--transport", paramLabel = "NAME",
            description = "auto (epoll on Linux, else NIO), epoll, io_uring or nio (default: auto).")
    String transport;

    /** Builds the settings from the config file or the flags; flags that tune a route may not mix with --config. */
    RelaySettings settings() {
        RelaySettings s = routeSettings();
        if (api != null) {
            String token = apiToken != null ? apiToken : System.getenv("STREAMTEE_API_TOKEN");
            s = s.withApi(ApiSettings.fromFlag("--api", api, token, "--api-token"));
        } else if (apiToken != null) {
            throw new ConfigException("--api-token: give --api HOST:PORT too");
        }
        return s;
    }

    private RelaySettings routeSettings() {
        if (config != null) {
            if (listen != null || !to.isEmpty() || !allow.isEmpty() || receiveBuffer != null || sendBuffer != null
                    || workers != null || gso != null) {
                throw new ConfigException("--config: give routes either in the file or with --listen/--to, not both");
            }
            RelaySettings fromFile = ConfigLoader.load(config);
            if (statsInterval == null && transport == null) {
                return fromFile;
            }
            RelaySettings flags = ConfigLoader.check(new RelayConfig(Map.of("x", RouteConfig.of("udp://127.0.0.1:0",
                    List.of(), List.of("udp://127.0.0.1:1"))), statsInterval, transport));
            return new RelaySettings(fromFile.routes(),
                    statsInterval == null ? fromFile.statsInterval() : flags.statsInterval(),
                    transport == null ? fromFile.transport() : flags.transport(), fromFile.api());
        }
        if (listen == null) {
            throw new ConfigException("--listen: missing (or give --config FILE)");
        }
        if (to.isEmpty()) {
            throw new ConfigException("--to: missing (add at least one output, e.g. --to 127.0.0.1:8101)");
        }
        Map<String, RouteConfig> routes = new LinkedHashMap<>();
        routes.put(name, new RouteConfig(listen, allow, to, receiveBuffer, sendBuffer, workers, gso));
        try {
            return ConfigLoader.check(new RelayConfig(routes, statsInterval, transport));
        } catch (ConfigException e) {
            throw new ConfigException(flagName(e.getMessage()));
        }
    }

    /**
     * Reads the config file again and applies what changed (on SIGHUP and when the file changes). A config that does
     * not load is reported in one line and the relay keeps running as it was.
     */
    private synchronized void reload(Relay relay) {
        try {
            RelaySettings next = settings();
            if (!java.util.Objects.equals(next.api(), relay.settings().api())) {
                LOG.warn("config: the api section changed; that takes a restart (the rest is applied now)");
            }
            relay.apply(next.withApi(relay.settings().api()));
        } catch (ConfigException | RelayException e) {
            LOG.warn("config not applied, still running the previous one: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("config not applied, still running the previous one", e);
        }
    }

    /** Rewrites config keys in a message to the flag a command-line user typed. */
    private String flagName(String message) {
        String prefix = "routes." + name;
        message = numberFromOne(message, prefix + ".outputs", "--to");
        message = numberFromOne(message, prefix + ".allow", "--allow");
        return message
                .replace(prefix + ".input", "--listen")
                .replace(prefix + ".receiveBuffer", "--receive-buffer")
                .replace(prefix + ".sendBuffer", "--send-buffer")
                .replace(prefix + ".workers", "--workers")
                .replace(prefix + ".gso", "--gso")
                .replace("statsInterval", "--stats-interval")
                .replace(prefix, "--name");
    }

    /** {@code routes.x.outputs[0]} becomes {@code --to #1}: a person counts the flags they typed from one. */
    private static String numberFromOne(String message, String key, String flag) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(key) + "\\[(\\d+)]")
                .matcher(message);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, flag + " #" + (Integer.parseInt(m.group(1)) + 1));
        }
        return m.appendTail(sb).toString();
    }

    @Override
    public Integer call() throws InterruptedException {
        RelaySettings settings = settings();
        CountDownLatch stop = Signals.stopLatch();
        Relay relay = new Relay(settings).start();
        StatsReporter stats = new StatsReporter(relay::routes, settings.statsInterval());
        ConfigWatcher watcher = null;
        ControlServer control = null;
        try {
            if (settings.api() != null) {
                control = new ControlServer(relay, settings.api()).start();
            }
            if (config != null) {
                Runnable reload = () -> reload(relay);
                Signals.onHangup(reload);
                watcher = new ConfigWatcher(config, reload);
            }
            stop.await();
        } catch (java.io.IOException e) {
            throw new RelayException(config + ": cannot watch for changes: " + e.getMessage(), e);
        } finally {
            if (watcher != null) {
                watcher.close();
            }
            if (control != null) {
                control.close(); // ends the HTTP streams too
            }
            relay.close(); // stop reading, let queued copies leave, close
            stats.close(); // then the final summary, with every datagram counted
        }
        return 0;
    }
}
