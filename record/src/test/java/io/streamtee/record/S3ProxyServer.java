package io.streamtee.record;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API server for tests: S3Proxy (Maven Central, {@code org.gaul:s3proxy}) over an in-memory jclouds blob
 * store, on 127.0.0.1 and a free port, with AWS V2/V4 signatures checked against {@link #ACCESS_KEY} and
 * {@link #SECRET_KEY}.
 *
 * <p>S3Proxy runs in a class loader of its own over the jars the {@code s3proxy-lib} module copies (system property
 * {@code streamtee.s3proxy.lib}), whose parent is the platform class loader: it brings Jetty 11, Guava, Jackson and an
 * AWS SDK in other versions than this module's tests (which have Jetty 12 through Javalin). Only SLF4J is shared, so
 * its log lines go where the tests' do. Everything is called by reflection.
 *
 * <pre>{@code
 * try (S3ProxyServer s3 = S3ProxyServer.start(); S3Client client = s3.client()) {
 *     client.createBucket(b -> b.bucket("test"));
 * }
 * }</pre>
 */
final class S3ProxyServer implements AutoCloseable {
    static final String ACCESS_KEY = "streamtee-test";
    static final String SECRET_KEY = "streamtee-test-secret";
    static final String REGION = "us-east-1";

    private final URLClassLoader loader;
    private final Object context;
    private final Object proxy;
    private final int port;

    private S3ProxyServer(URLClassLoader loader, Object context, Object proxy, int port) {
        this.loader = loader;
        this.context = context;
        this.proxy = proxy;
        this.port = port;
    }

    static S3ProxyServer start() throws Exception {
        URLClassLoader loader = isolatedLoader();
        Thread current = Thread.currentThread();
        ClassLoader previous = current.getContextClassLoader();
        // jclouds finds its providers through the context class loader; Jetty's threads inherit it
        current.setContextClassLoader(loader);
        Object context = null;
        try {
            Class<?> contextBuilder = loader.loadClass("org.jclouds.ContextBuilder");
            Class<?> blobStoreContext = loader.loadClass("org.jclouds.blobstore.BlobStoreContext");
            Object builder = contextBuilder.getMethod("newBuilder", String.class).invoke(null, "transient");
            builder = contextBuilder.getMethod("credentials", String.class, String.class)
                    .invoke(builder, "identity", "credential");
            context = contextBuilder.getMethod("build", Class.class).invoke(builder, blobStoreContext);
            Object blobStore = blobStoreContext.getMethod("getBlobStore").invoke(context);

            Class<?> s3proxy = loader.loadClass("org.gaul.s3proxy.S3Proxy");
            Class<?> authType = loader.loadClass("org.gaul.s3proxy.AuthenticationType");
            Object proxyBuilder = s3proxy.getMethod("builder").invoke(null);
            Class<?> builderType = proxyBuilder.getClass();
            builderType.getMethod("blobStore", loader.loadClass("org.jclouds.blobstore.BlobStore"))
                    .invoke(proxyBuilder, blobStore);
            builderType.getMethod("endpoint", URI.class).invoke(proxyBuilder, URI.create("http://127.0.0.1:0"));
            builderType.getMethod("awsAuthentication", authType, String.class, String.class)
                    .invoke(proxyBuilder, authType.getMethod("valueOf", String.class).invoke(null, "AWS_V2_OR_V4"),
                            ACCESS_KEY, SECRET_KEY);
            Object proxy = builderType.getMethod("build").invoke(proxyBuilder);
            s3proxy.getMethod("start").invoke(proxy);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                    .until(() -> "STARTED".equals(s3proxy.getMethod("getState").invoke(proxy)));
            int port = (int) s3proxy.getMethod("getPort").invoke(proxy);
            return new S3ProxyServer(loader, context, proxy, port);
        } catch (InvocationTargetException e) {
            closeQuietly(context);
            loader.close();
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (Exception | Error e) {
            closeQuietly(context);
            loader.close();
            throw e;
        } finally {
            current.setContextClassLoader(previous);
        }
    }

    private static URLClassLoader isolatedLoader() throws IOException {
        Path lib = Path.of(System.getProperty("streamtee.s3proxy.lib", "../s3proxy-lib/target/lib"));
        List<URL> jars = new ArrayList<>();
        if (Files.isDirectory(lib)) {
            try (Stream<Path> list = Files.list(lib)) {
                for (Path jar : list.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
                    jars.add(toUrl(jar));
                }
            }
        }
        if (jars.stream().noneMatch(u -> u.getPath().contains("s3proxy-"))) {
            throw new IllegalStateException(lib.toAbsolutePath() + ": no S3Proxy jars; build with "
                    + "mvn -pl record -am (the s3proxy-lib module copies them)");
        }
        ClassLoader tests = S3ProxyServer.class.getClassLoader();
        return new URLClassLoader("s3proxy", jars.toArray(URL[]::new), ClassLoader.getPlatformClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.startsWith("org.slf4j.")) {
                    return tests.loadClass(name);
                }
                return super.loadClass(name, resolve);
            }
        };
    }

    private static URL toUrl(Path jar) {
        try {
            return jar.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    int port() {
        return port;
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
    }

    /** A client straight to the server (not through a {@link TcpForwarder}), for setting up and checking. */
    S3Client client() {
        return S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .endpointOverride(endpoint())
                .region(Region.of(REGION))
                .credentialsProvider(credentials())
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.getClass().getMethod("stop").invoke(proxy);
        } finally {
            closeQuietly(context);
            loader.close();
        }
    }

    private static void closeQuietly(Object closeable) {
        if (closeable instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort: the server is going away
            }
        }
    }
}
