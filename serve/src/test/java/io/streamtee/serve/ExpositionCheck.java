package io.streamtee.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict check of a Prometheus text exposition (format 0.0.4), as a scraper parses it: every line a comment, a
 * {@code # HELP} or {@code # TYPE} of a family, or a sample {@code name{label="value",...} number}; each family's
 * HELP and TYPE at most once and before its samples; a family's samples together (a family does not come back
 * after another one began); every sample name its family's (or the family's {@code _sum}, {@code _count},
 * {@code _bucket} for summaries and histograms); no sample (name and labels) twice.
 */
final class ExpositionCheck {
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\.)*\",?)*\\})?"
                    + " (-?[0-9.eE+-]+|NaN|[+-]Inf)( -?[0-9]+)?");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "summary", "histogram", "untyped");

    private ExpositionCheck() {
    }

    /** @return the family names, in order */
    static List<String> check(String text) {
        List<String> families = new java.util.ArrayList<>();
        Set<String> helped = new HashSet<>();
        Set<String> typed = new HashSet<>();
        Set<String> samples = new HashSet<>();
        String current = null;
        int n = 0;
        for (String line : text.split("\n")) {
            n++;
            String where = "line " + n + ": " + line;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ", 2);
                String name = parts[0];
                boolean help = line.startsWith("# HELP ");
                assertThat(help ? helped.add(name) : typed.add(name)).as("%s: given twice", where).isTrue();
                if (!help) {
                    assertThat(TYPES).as(where).contains(parts.length > 1 ? parts[1] : "");
                }
                if (!name.equals(current)) {
                    assertThat(families).as("%s: family %s comes back", where, name).doesNotContain(name);
                    families.add(name);
                    current = name;
                }
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            assertThat(m.matches()).as("%s: not a sample", where).isTrue();
            String name = m.group(1);
            assertThat(current).as("%s: a sample before any HELP/TYPE", where).isNotNull();
            assertThat(name.equals(current) || name.equals(current + "_sum") || name.equals(current + "_count")
                    || name.equals(current + "_bucket")).as("%s: not of family %s", where, current).isTrue();
            assertThat(samples.add(name + (m.group(2) == null ? "" : m.group(2)))).as("%s: twice", where).isTrue();
        }
        return families;
    }
}
