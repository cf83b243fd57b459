package io.streamtee.record;

import io.streamtee.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where finished segments and the index are uploaded: an S3-compatible bucket (AWS S3, OCI Object Storage's
 * S3-compatible endpoint, MinIO, ...), as data. What is not given here comes from the AWS environment when the store
 * is opened ({@link #endpoint(Map)}, {@link #region(Map)}); credentials always do (the SDK's default chain).
 *
 * @param bucket the bucket
 * @param prefix the key prefix without leading or trailing {@code /}, {@code ""} for none; objects are
 *     {@code prefix/camera/YYYY/MM/DD/HH-MM-SS.ts} and {@code prefix/camera/index.db}
 * @param endpoint the S3 API endpoint, or null for {@code AWS_ENDPOINT_URL_S3}, {@code AWS_ENDPOINT_URL} or AWS itself
 * @param region the signing region, or null for {@code AWS_REGION}, the AWS profile, else {@code us-east-1}
 * @param pathStyle path-style addressing ({@code endpoint/bucket/key}), or null for "on when an endpoint is set":
 *     OCI, MinIO and S3Proxy need it, AWS prefers virtual-hosted style
 */
public record StoreConfig(String bucket, String prefix, URI endpoint, String region, Boolean pathStyle) {

    /** What S3-compatible stores accept between them: AWS is stricter (lower case), OCI also takes upper case. */
    private static final Pattern BUCKET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,254}");
    private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    /** Signing needs some region; S3-compatible stores that ignore it accept this one. */
    static final String FALLBACK_REGION = "us-east-1";

    public StoreConfig {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(prefix, "prefix");
        if (!BUCKET.matcher(bucket).matches()) {
            throw new ConfigException("--store: '" + bucket + "' is not a bucket name (letters, digits, . _ -)");
        }
        if (prefix.startsWith("/") || prefix.endsWith("/") || prefix.contains("//")) {
            throw new ConfigException("--store: prefix '" + prefix + "' has an empty path segment");
        }
        if (endpoint != null && (!("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()))
                || endpoint.getHost() == null)) {
            throw new ConfigException("--store-endpoint: '" + endpoint + "' is not an http:// or https:// URL");
        }
        if (region != null && !REGION.matcher(region).matches()) {
            throw new ConfigException("--store-region: '" + region + "' is not a region name (e.g. us-east-1, "
                    + "eu-frankfurt-1)");
        }
    }

    /** {@code s3://bucket} or {@code s3://bucket/prefix}: everything else from the environment. */
    public static StoreConfig parse(String url) {
        Objects.requireNonNull(url, "url");
        if (!url.startsWith("s3://")) {
            throw new ConfigException("--store: '" + url + "' is not an s3:// URL (expected s3://bucket/prefix)");
        }
        String rest = url.substring("s3://".length());
        if (rest.contains("?") || rest.contains("#")) {
            throw new ConfigException("--store: '" + url + "' has a query or fragment (expected s3://bucket/prefix)");
        }
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        while (prefix.endsWith("/")) {
            prefix = prefix.substring(0, prefix.length() - 1);
        }
        if (bucket.isEmpty()) {
            throw new ConfigException("--store: '" + url + "' has no bucket (expected s3://bucket/prefix)");
        }
        return new StoreConfig(bucket, prefix, null, null, null);
    }

    /** Parses {@code --store-endpoint}: an http:// or https:// URL. */
    public static URI endpoint(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new ConfigException("--store-endpoint: '" + url + "' is not an http:// or https:// URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException("--store-endpoint: '" + url + "' is not a URL (" + e.getReason() + ")", e);
        }
    }

    public StoreConfig withEndpoint(URI uri) {
        return new StoreConfig(bucket, prefix, uri, region, pathStyle);
    }

    public StoreConfig withRegion(String name) {
        return new StoreConfig(bucket, prefix, endpoint, name, pathStyle);
    }

    public StoreConfig withPathStyle(Boolean on) {
        return new StoreConfig(bucket, prefix, endpoint, region, on);
    }

    /** {@code s3://bucket/prefix}, as given. */
    public String url() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    /** The object key of {@code relative}: {@code prefix/relative}. */
    String key(String relative) {
        return prefix.isEmpty() ? relative : prefix + "/" + relative;
    }

    /** The endpoint to use: this one, else {@code AWS_ENDPOINT_URL_S3}, else {@code AWS_ENDPOINT_URL}, else null. */
    URI endpoint(Map<String, String> env) {
        if (endpoint != null) {
            return endpoint;
        }
        for (String name : new String[] {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                try {
                    return withEndpoint(endpoint(value.trim())).endpoint();
                } catch (ConfigException e) {
                    throw new ConfigException(name + ": '" + value + "' is not an http:// or https:// URL", e);
                }
            }
        }
        return null;
    }

    /** Path-style addressing: as set, else on exactly when an endpoint is used. */
    boolean pathStyle(Map<String, String> env) {
        return pathStyle != null ? pathStyle : endpoint(env) != null;
    }
}
