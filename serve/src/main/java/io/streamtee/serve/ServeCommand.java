package io.streamtee.serve;

import io.streamtee.analyze.ClipLinks;
import io.streamtee.cli.CommandException;
import io.streamtee.cli.Signals;
import io.streamtee.config.ConfigException;
import io.streamtee.relay.RelayException;
import io.streamtee.relay.config.ConfigWatcher;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code streamtee serve -c streamtee.yml}: every camera of the file, each a relay route whose copies go to its
 * recorder, analyzer and live viewer, and one web server for all of them. SIGHUP, or a change of the file, applies
 * the file again: only what changed changes; a file that does not load is one line in the log and the running config
 * stays.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
        description = {
            "Run every camera of a config file: the relay, and for each camera its recorder, analyzer and live"
                    + " viewer, with one web page for all of them.",
            "Every key is described in serve.example.yml. SIGHUP or saving the file applies it again: only the"
                    + " cameras and services that changed restart.",
            ""})
public final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", required = true,
            description = "The config file (see serve.example.yml).")
    Path file;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "0",
            description = "Stop after this many seconds; 0 runs until a stop signal (default: ${DEFAULT-VALUE}).")
    long seconds;

    /** Ends the run; a stop signal when null (tests count it down instead). */
    CountDownLatch stop;
    /** Set once running (tests). */
    volatile Serve running;
    volatile ServeWeb web;
    /** Reloads applied, and files refused (the running config stayed), since start. */
    final AtomicLong reloadsApplied = new AtomicLong();
    final AtomicLong reloadsRefused = new AtomicLong();

    @Override
    public Integer call() throws InterruptedException {
        if (seconds < 0) {
            throw new ConfigException("--seconds: must not be negative");
        }
        // first: a SIGHUP while starting (systemctl reload) must not end the process; the file is read below anyway
        Signals.onHangup(() -> {
            Serve now = running;
            if (now != null) {
                reload(now);
            }
        });
        CountDownLatch stopped = stop != null ? stop : Signals.stopLatch();
        ServeConfig config = ServeYaml.load(file);
        Serve serve = new Serve(config);
        ServeWeb server = null;
        ConfigWatcher watcher = null;
        try {
            try {
                server = new ServeWeb(serve, config.web()).start();
            } catch (RuntimeException e) {
                config.close(); // nothing runs it: its sinks close here
                throw e;
            }
            if (config.url() == null && config.web().listen().getAddress().isAnyLocalAddress()) {
                LOG.warn("web.listen is every address, so links in alerts (clips, snapshots) name none that works;"
                        + " set web.url to the address people open the page at");
            }
            serve.start(config.url() != null ? ClipLinks.parse("web.url", config.url())
                    : ClipLinks.parse("web.listen", server.url()));
            web = server;
            running = serve;
            try {
                watcher = new ConfigWatcher(file, () -> reload(serve));
            } catch (IOException e) {
                LOG.warn("{}: not watched for changes ({}); SIGHUP applies it", file, e.getMessage());
            }
            LOG.info("serve: web on {} ({} camera(s); SIGHUP or saving {} applies it again)", server.url(),
                    serve.cameras().size(), file);
            if (seconds > 0) {
                stopped.await(seconds, TimeUnit.SECONDS);
            } else {
                stopped.await();
            }
        } catch (RelayException e) {
            throw new CommandException(file + ": " + e.getMessage(), e);
        } finally {
            running = null; // a SIGHUP from now on finds nothing to reload
            if (watcher != null) {
                watcher.close();
            }
            serve.close(); // the relay drains into the services, which then close: recordings whole
            if (server != null) {
                server.close();
            }
        }
        return 0;
    }

    /** Applies the file again; one that does not load leaves the running config as it is. */
    private synchronized void reload(Serve serve) {
        ServeConfig next;
        try {
            next = ServeYaml.load(file);
        } catch (ConfigException e) {
            reloadsRefused.incrementAndGet();
            LOG.warn("config not applied, still running the previous one: {}", e.getMessage());
            return;
        }
        try {
            serve.reload(next);
            reloadsApplied.incrementAndGet();
        } catch (RuntimeException e) {
            LOG.warn("config not applied completely: {}", e.getMessage(), e);
        }
    }
}
