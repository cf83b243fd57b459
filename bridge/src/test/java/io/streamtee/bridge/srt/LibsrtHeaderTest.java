package io.streamtee.bridge.srt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binding against libsrt 1.5's {@code srt.h}: a C program, compiled with gcc against the header, prints
 * {@code offsetof} of every field of {@code SRT_TRACEBSTATS} and its size, and the value of every constant
 * {@link Libsrt} declares; they must equal the binding's. The header comes from Debian's libsrt-openssl-dev or
 * libsrt-gnutls-dev ({@code /usr/include/srt/srt.h}), or from the directory in the system property
 * {@code srt.include}; without it, or without gcc, the test is skipped.
 */
class LibsrtHeaderTest {
    private static final List<String> PREFIXES = List.of("SRTO_", "SRTT_", "SRTS_", "SRT_REJ_", "SRT_E", "SRT_LOGF_",
            "LOG_");

    @TempDir
    Path dir;

    /** The constants {@link Libsrt} declares, by their C names. */
    static Map<String, Long> javaConstants() throws IllegalAccessException {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Field f : Libsrt.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class
                    && PREFIXES.stream().anyMatch(p -> f.getName().startsWith(p))) {
                m.put(f.getName(), (long) f.getInt(null));
            }
        }
        return m;
    }

    @Test
    void theStatsLayoutAndTheConstantsAreTheHeaders() throws Exception {
        String include = System.getProperty("srt.include", "/usr/include");
        assumeTrue(Files.exists(Path.of(include, "srt", "srt.h")), "no srt/srt.h in " + include
                + " (apt install libsrt-openssl-dev, or -Dsrt.include=DIR)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/gcc")), "no gcc");
        Map<String, Long> offsets = SrtStats.offsets();
        Map<String, Long> constants = javaConstants();
        assertThat(constants).containsKeys("SRTO_LATENCY", "SRTO_PASSPHRASE", "SRT_REJ_BADSECRET", "SRT_EASYNCRCV");
        StringBuilder c = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include <srt/srt.h>\n"
                + "int main(void) {\n");
        for (String field : offsets.keySet()) {
            c.append(field.equals("sizeof")
                    ? "  printf(\"sizeof %zu\\n\", sizeof(SRT_TRACEBSTATS));\n"
                    : "  printf(\"" + field + " %zu\\n\", offsetof(SRT_TRACEBSTATS, " + field + "));\n");
        }
        for (String name : constants.keySet()) {
            c.append("  printf(\"").append(name).append(" %ld\\n\", (long) ").append(name).append(");\n");
        }
        c.append("  return 0;\n}\n");
        Path source = Files.writeString(dir.resolve("offsets.c"), c);
        Path binary = dir.resolve("offsets");
        Process gcc = new ProcessBuilder("gcc", "-I", include, "-o", binary.toString(), source.toString())
                .redirectErrorStream(true).start();
        String gccOut = new String(gcc.getInputStream().readAllBytes());
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).as(gccOut).isZero();
        Process run = new ProcessBuilder(binary.toString()).redirectErrorStream(true).start();
        String out = new String(run.getInputStream().readAllBytes());
        assertThat(run.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Map<String, Long> c99 = new LinkedHashMap<>();
        for (String line : out.strip().split("\n")) {
            String[] f = line.split(" ");
            c99.put(f[0], Long.parseLong(f[1]));
        }
        Map<String, Long> expected = new LinkedHashMap<>(offsets);
        expected.putAll(constants);
        assertThat(expected).isEqualTo(c99);
    }
}
