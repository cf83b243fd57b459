package io.streamtee.serve;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamtee.config.ConfigException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Refuses a mapping's keys that a section does not have, with a guess at the key meant:
 * {@code cameras.front.inpt: unknown key (did you mean input?)}, or the known keys when nothing is close.
 */
final class KnownKeys {
    private KnownKeys() {
    }

    /**
     * Checks that every key of {@code node} (a mapping) is one of {@code known}.
     *
     * @param key the mapping's key path, e.g. {@code cameras.front}; empty for the top level
     * @throws ConfigException one line naming the first unknown key
     */
    static void check(String key, JsonNode node, List<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!known.contains(field)) {
                String at = key.isEmpty() ? field : key + "." + field;
                String guess = closest(field, known);
                throw ConfigException.at(at, "unknown key (" + (guess != null ? "did you mean " + guess + "?"
                        : "known: " + String.join(", ", known.stream().sorted().toList())) + ")");
            }
        }
    }

    /** The known key within 2 edits of {@code field} (case ignored), the nearest first; null when none is. */
    static String closest(String field, List<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String k : known) {
            int d = distance(field.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
