package io.streamtee.serve;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Merges Prometheus text expositions (format 0.0.4) from several registries into one valid exposition: each metric
 * family once, its {@code # HELP} and {@code # TYPE} once, then every sample of it from every source, in the order
 * the families were first seen. Sources must already tell their samples apart by label (the {@code camera} or
 * {@code route} label); a sample line given twice word for word is kept once. Not thread-safe: one per scrape.
 */
final class Exposition {
    private static final class Family {
        String help;
        String type;
        final Set<String> samples = new LinkedHashSet<>();
    }

    private final Map<String, Family> families = new LinkedHashMap<>();

    /**
     * Adds one source's text, leaving out the families named in {@code skip} (say a per-server counter that the
     * merged exposition gives once, from elsewhere).
     */
    Exposition add(String text, Set<String> skip) {
        Family current = null;
        boolean skipping = false;
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.equals("# EOF")) {
                continue;
            }
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                String rest = line.substring(7);
                int space = rest.indexOf(' ');
                String name = space < 0 ? rest : rest.substring(0, space);
                String value = space < 0 ? "" : rest.substring(space + 1);
                skipping = skip.contains(name);
                if (skipping) {
                    continue;
                }
                current = families.computeIfAbsent(name, n -> new Family());
                if (line.startsWith("# HELP ")) {
                    if (current.help == null) {
                        current.help = value;
                    }
                } else if (current.type == null) {
                    current.type = value;
                }
                continue;
            }
            if (line.startsWith("#") || skipping) {
                continue;
            }
            if (current == null) { // a sample with no HELP or TYPE before it: its own untyped family
                current = families.computeIfAbsent(sampleName(line), n -> new Family());
            }
            current.samples.add(line);
        }
        return this;
    }

    private static String sampleName(String line) {
        int end = 0;
        while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
            end++;
        }
        return line.substring(0, end);
    }

    /** The merged exposition; families without a sample left are left out. */
    String text() {
        StringBuilder b = new StringBuilder();
        families.forEach((name, f) -> {
            if (f.samples.isEmpty()) {
                return;
            }
            if (f.help != null) {
                b.append("# HELP ").append(name).append(' ').append(f.help).append('\n');
            }
            if (f.type != null) {
                b.append("# TYPE ").append(name).append(' ').append(f.type).append('\n');
            }
            f.samples.forEach(s -> b.append(s).append('\n'));
        });
        return b.toString();
    }

    /** The family names, in order (tests). */
    List<String> names() {
        return new ArrayList<>(families.keySet());
    }
}
