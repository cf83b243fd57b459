package io.streamtee.input;

import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@link InputFactory InputFactories} on the class path, by URL scheme: which module serves {@code rtsp://},
 * {@code srt://} and the like in this build. Where two factories claim one scheme, the first found keeps it.
 *
 * <pre>{@code
 * InputFactory f = Inputs.installed().require("--listen", endpoint, List.of("udp"));
 * }</pre>
 */
public final class Inputs {
    private static volatile Inputs installed;

    private final Map<String, InputFactory> byScheme;

    /** The factories given, by scheme (for tests: {@link #installed()} is what the commands use). */
    Inputs(Iterable<? extends InputFactory> factories) {
        Map<String, InputFactory> found = new TreeMap<>();
        for (InputFactory f : factories) {
            for (String s : f.schemes()) {
                found.putIfAbsent(s, f);
            }
        }
        this.byScheme = Collections.unmodifiableMap(found); // sorted: the schemes in messages, in order
    }

    /** The factories registered in {@code META-INF/services/io.streamtee.input.InputFactory}, looked up once. */
    public static Inputs installed() {
        Inputs known = installed;
        if (known == null) {
            installed = known = new Inputs(ServiceLoader.load(InputFactory.class, Inputs.class.getClassLoader()));
        }
        return known;
    }

    /** The factory serving {@code scheme} (lower case), or null when no module on the class path serves it. */
    public InputFactory find(String scheme) {
        return byScheme.get(scheme);
    }

    /** The schemes some factory serves, sorted. */
    public Set<String> schemes() {
        return byScheme.keySet();
    }

    /**
     * The factory serving {@code endpoint}'s scheme.
     *
     * @param key the flag or config key the URL came from, for the message ({@code --listen})
     * @param own the schemes the caller takes by itself (e.g. {@code udp}), for the message
     * @throws ConfigException one line naming {@code key}, the scheme and the schemes this build takes, when no
     *                         factory serves it
     */
    public InputFactory require(String key, Endpoint endpoint, List<String> own) {
        InputFactory f = find(endpoint.scheme());
        if (f != null) {
            return f;
        }
        List<String> takes = new ArrayList<>();
        for (String s : own) {
            takes.add(s + "://");
        }
        for (String s : byScheme.keySet()) {
            takes.add(s + "://");
        }
        String these = String.join(", ", takes);
        throw ConfigException.at(key, "no input for " + endpoint.scheme() + ":// here (" + (byScheme.isEmpty()
                ? (these.isEmpty() ? "" : "this build takes " + these + " only; ")
                        + "the bridge module, which brings rtsp:// and srt://, is not on the class path"
                : "this build takes " + these) + ")");
    }
}
