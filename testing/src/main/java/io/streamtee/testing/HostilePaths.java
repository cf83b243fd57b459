package io.streamtee.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Path traversal and odd encodings for every URL that names a file (issue 16): {@link #escapes(String)} spells "the
 * file {@code name} one, two and three directories up, or at an absolute path" in each way an attacker would
 * ({@code ../}, {@code %2e%2e/}, {@code %2e%2e%2f}, {@code ..%5c}, a NUL, overlong UTF-8, double encoding, ...), and
 * {@link #get} sends such a path as is (no client library normalises or refuses it first).
 *
 * <pre>{@code
 * for (String p : HostilePaths.escapes("secret.txt")) {
 *     HostilePaths.Response r = HostilePaths.get(port, "/recordings/camera/" + p, null);
 *     assertThat(r.status()).isIn(400, 404);
 *     assertThat(r.body()).doesNotContain(SECRET);
 * }
 * }</pre>
 */
public final class HostilePaths {
    private HostilePaths() {
    }

    /** A raw HTTP answer. */
    public record Response(int status, String body) {
    }

    /** Ways to name {@code name} outside the directory served, to put after a route's prefix. */
    public static List<String> escapes(String name) {
        List<String> ups = List.of("../", "..%2f", "..%2F", "%2e%2e/", "%2e%2e%2f", "%2E%2E%2F", "..%5c", "..\\",
                "%c0%ae%c0%ae/", "%c0%ae%c0%ae%c0%af", "%252e%252e%252f", "%252e%252e/", "..%252f", "....//", "..;/",
                ".%2e/", "%2e./", "..%00/", "..%c0%af", "..%ef%bc%8f");
        List<String> out = new ArrayList<>();
        for (String up : ups) {
            for (int depth = 1; depth <= 3; depth++) {
                out.add(up.repeat(depth) + name);
            }
        }
        out.add(name + "%00.ts");
        out.add(name + "%00");
        out.add("%2f" + "etc%2fpasswd");
        out.add("%2Fetc%2Fpasswd");
        out.add("/etc/passwd");
        out.add("//etc/passwd");
        out.add("%252fetc%252fpasswd");
        out.add("..");
        out.add("%2e%2e");
        out.add("%00");
        return out;
    }

    /**
     * Sends {@code GET rawPath} as written to 127.0.0.1:{@code port} (with {@code Authorization: Bearer token} when
     * not null) and reads the answer; the body is cut at 64 KiB.
     */
    public static Response get(int port, String rawPath, String token) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            String req = "GET " + rawPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n";
            out.write(req.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            for (int n; all.size() < 65_536 && (n = in.read(buf)) > 0; ) {
                all.write(buf, 0, n);
            }
            String text = all.toString(StandardCharsets.ISO_8859_1);
            if (!text.startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP answer to " + rawPath + ": " + text.lines().findFirst().orElse(""));
            }
            int status = Integer.parseInt(text.substring(9, 12));
            int body = text.indexOf("\r\n\r\n");
            return new Response(status, body < 0 ? "" : text.substring(body + 4));
        }
    }
}
