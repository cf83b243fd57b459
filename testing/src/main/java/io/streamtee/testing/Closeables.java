package io.streamtee.testing;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes what a test opened, last first, after each test:
 * {@code @RegisterExtension final Closeables closeables = new Closeables();} then {@code closeables.use(x)}.
 */
public final class Closeables implements AfterEachCallback {
    private final List<AutoCloseable> open = new ArrayList<>();

    /** Registers {@code resource} to be closed after the test, and returns it. */
    public <T extends AutoCloseable> T use(T resource) {
        open.add(resource);
        return resource;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Exception first = null;
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        open.clear();
        if (first != null) {
            throw first;
        }
    }
}
