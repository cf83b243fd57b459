package io.streamtee.record;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One recorder per camera directory (a second one would "repair" the segment the first is writing): creates the
 * directory and holds a lock on its {@code .lock} file. It remembers what it created, and what its owner tells it it
 * created ({@link #created}), so that a start that fails can leave the directory as it was ({@link #undo}).
 */
final class DirectoryLock implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryLock.class);

    private final List<Path> created = new ArrayList<>();
    private FileChannel channel;

    private DirectoryLock() {
    }

    /**
     * Creates {@code cameraDir} if need be and locks it.
     *
     * @throws RecordException (one line) when it cannot be created or another recorder holds it; nothing created is
     *     left behind
     */
    static DirectoryLock acquire(Path cameraDir) {
        DirectoryLock lock = new DirectoryLock();
        try {
            lock.createDirectories(cameraDir);
            lock.lock(cameraDir);
            return lock;
        } catch (RuntimeException e) {
            lock.close();
            lock.undo();
            throw e;
        }
    }

    private void createDirectories(Path cameraDir) {
        List<Path> missing = new ArrayList<>();
        for (Path p = cameraDir.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) {
            missing.addFirst(p);
        }
        try {
            Files.createDirectories(cameraDir);
        } catch (IOException e) {
            throw new RecordException(cameraDir + ": cannot create the recordings directory (" + IoErrors.reason(e)
                    + ")", e);
        } finally {
            created.addAll(missing);
        }
    }

    private void lock(Path cameraDir) {
        Path path = cameraDir.resolve(".lock");
        created(path);
        try {
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (channel.tryLock() == null) {
                throw new RecordException(cameraDir + ": another recorder is recording here (use another --camera "
                        + "or --dir)");
            }
        } catch (OverlappingFileLockException e) {
            throw new RecordException(cameraDir + ": another recorder is recording here (use another --camera "
                    + "or --dir)", e);
        } catch (IOException e) {
            throw new RecordException(path + ": cannot lock the recordings directory (" + IoErrors.reason(e) + ")", e);
        }
    }

    /** Notes a file about to be created in the directory (if it does not exist yet), for {@link #undo}. */
    void created(Path file) {
        if (!Files.exists(file)) {
            created.add(file);
        }
    }

    /** After a failed start (and {@link #close}): removes what was created, newest first. */
    void undo() {
        for (Path p : created.reversed()) {
            try {
                if (p.getFileName().toString().equals("index.db")) {
                    for (String suffix : new String[] {"-wal", "-shm", "-journal"}) {
                        Files.deleteIfExists(p.resolveSibling("index.db" + suffix));
                    }
                }
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.debug("cannot remove {} after a failed start", p, e);
            }
        }
        created.clear();
    }

    /** Releases the lock (the file stays). Idempotent. */
    @Override
    public void close() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            LOG.debug("close failed", e);
        }
        channel = null;
    }
}
