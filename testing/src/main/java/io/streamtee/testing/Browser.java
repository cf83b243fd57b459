package io.streamtee.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Headless Chromium for page tests: a node script in a module's {@code src/test/browser} directory, with
 * playwright-core from its {@code package-lock.json} (installed by {@code npm ci} on first use; it downloads no
 * browser) driving the Debian package's {@code /usr/bin/chromium}. Tests that use it are skipped without node >= 20,
 * npm or chromium. The scripts share {@code testing/src/main/browser/page-check.mjs} (the Chromium launch, the page's
 * problems, the exit rule), which they import by a relative path, so they run from the source tree.
 */
public final class Browser {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private Browser() {
    }

    /** What a command printed (stdout and stderr) and its exit code. */
    public record Run(int exit, String output) {
    }

    /** Skips the test unless chromium, node and npm are here; runs {@code npm ci} in {@code dir} when needed. */
    public static void assumeReady(Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "no /usr/bin/chromium (Debian package chromium)");
        Assumptions.assumeTrue(onPath("node") && onPath("npm"), "node and npm are needed");
        String node = run(List.of("node", "--version"), Path.of("."), 30).output().strip();
        Assumptions.assumeTrue(node.matches("v(2\\d|[3-9]\\d)\\..*"), "playwright-core needs node >= 20, not " + node);
        if (!Files.isDirectory(dir.resolve("node_modules/playwright-core"))) {
            Run npm = run(List.of("npm", "ci", "--no-audit", "--no-fund"), dir, 300);
            assertThat(npm.exit()).as("npm ci said:%n%s", npm.output()).isZero();
        }
    }

    /** Runs {@code command} in {@code dir} and waits for it, at most {@code timeoutSeconds}. */
    public static Run run(List<String> command, Path dir, int timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s:\n" + out);
        }
        return new Run(p.exitValue(), out);
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
