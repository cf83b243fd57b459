package io.streamtee.relay.config;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Calls back when a config file changes, once per burst of changes (editors write a file in several steps, and
 * some replace it by renaming). The callback runs on the watcher's own thread.
 */
public final class ConfigWatcher implements AutoCloseable {
    /** A change is acted on once the file has been quiet this long. */
    static final long SETTLE_MILLIS = 300;

    private final WatchService watch;
    private final ScheduledExecutorService timer;
    private final Thread thread;
    private ScheduledFuture<?> pending;

    public ConfigWatcher(Path file, Runnable onChange) throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Path name = abs.getFileName();
        this.watch = FileSystems.getDefault().newWatchService();
        dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "config-reload");
            t.setDaemon(true);
            return t;
        });
        this.thread = new Thread(() -> loop(name, onChange), "config-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop(Path name, Runnable onChange) {
        try {
            while (true) {
                WatchKey key = watch.take();
                boolean ours = false;
                for (WatchEvent<?> e : key.pollEvents()) {
                    ours |= name.equals(e.context());
                }
                key.reset();
                if (ours) {
                    schedule(onChange);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    private synchronized void schedule(Runnable onChange) {
        if (pending != null) {
            pending.cancel(false);
        }
        pending = timer.schedule(onChange, SETTLE_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        try {
            watch.close();
        } catch (IOException e) {
            // nothing to do
        }
        timer.shutdownNow();
    }
}
