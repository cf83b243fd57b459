package io.streamtee.record;

import io.streamtee.config.ConfigException;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * An {@link ObjectStore} that speaks the S3 API, through the AWS SDK's synchronous client over the JDK's
 * {@code HttpURLConnection}. Works with AWS S3 and with S3-compatible stores (OCI Object Storage's compatibility
 * endpoint, MinIO, S3Proxy) given an endpoint and path-style addressing.
 *
 * <p>A file of up to {@code multipartThreshold} bytes is one PUT; a bigger one is a multipart upload of
 * {@code partSize} parts, aborted when a part fails. Every request carries the body's Content-MD5, so the store
 * checks what it received. The SDK retries nothing: the {@link Uploader} retries whole files with its own backoff.
 */
final class S3ObjectStore implements ObjectStore {

    private static final Logger LOG = LoggerFactory.getLogger(S3ObjectStore.class);
    static final long DEFAULT_PART_SIZE = 8L << 20;
    /** S3's smallest part but the last (S3Proxy enforces it too). */
    static final long MIN_PART_SIZE = 5L << 20;
    private static final int MAX_PARTS = 10_000;

    private final S3Client client;
    private final AutoCloseable credentials;
    private final StoreConfig config;
    private final String description;
    private final long multipartThreshold;
    private final long partSize;
    private boolean closed;

    /** Multipart uploads completed (for tests). */
    volatile long multipartUploads;

    private S3ObjectStore(S3Client client, AutoCloseable credentials, StoreConfig config, String description,
            long multipartThreshold, long partSize) {
        this.client = client;
        this.credentials = credentials;
        this.config = config;
        this.description = description;
        this.multipartThreshold = multipartThreshold;
        this.partSize = partSize;
    }

    /**
     * The store {@code config} describes, with what it leaves out from {@code env} ({@code AWS_ENDPOINT_URL},
     * {@code AWS_REGION}), credentials from the SDK's default chain, 8 MiB parts above 8 MiB.
     *
     * @throws RecordException with a one-line message when no credentials can be found
     */
    static S3ObjectStore open(StoreConfig config, Map<String, String> env) {
        DefaultCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
        try {
            return open(config, env, credentials, DEFAULT_PART_SIZE, DEFAULT_PART_SIZE);
        } catch (RuntimeException e) {
            credentials.close();
            throw e;
        }
    }

    /** For tests: given credentials, and a lower threshold and part size to force multipart uploads. */
    static S3ObjectStore open(StoreConfig config, Map<String, String> env, AwsCredentialsProvider credentials,
            long multipartThreshold, long partSize) {
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("part size " + partSize + " is under S3's minimum of " + MIN_PART_SIZE);
        }
        URI endpoint;
        try {
            endpoint = config.endpoint(env);
        } catch (ConfigException e) {
            throw new RecordException(e.getMessage(), e);
        }
        boolean pathStyle = config.pathStyle(env);
        String region = region(config, env);
        try {
            credentials.resolveCredentials();
        } catch (SdkClientException e) {
            throw new RecordException("--store " + config.url() + ": no credentials (set AWS_ACCESS_KEY_ID and "
                    + "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)", e);
        }
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60)))
                .region(Region.of(region))
                .credentialsProvider(credentials)
                .forcePathStyle(pathStyle)
                // Since SDK 2.30 a PUT carries a CRC32 checksum by default, sent as an aws-chunked body with a
                // trailer. S3-compatible stores reject that: S3Proxy 3.0.0 answers 400 (tried), OCI's compatibility
                // API does not take aws-chunked bodies (reported by its users). So: checksums only where the API
                // requires them, and no chunked bodies at all, even for signed payloads over http; our own
                // Content-MD5 on every body lets the store check what it received instead.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
                // the uploader retries with its own backoff, forever; SDK retries would only hide how long it waits
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        String description = config.url() + " (" + (endpoint == null ? "AWS" : "endpoint " + endpoint)
                + ", region " + region + (pathStyle ? ", path-style" : "") + ")";
        return new S3ObjectStore(builder.build(), credentials instanceof AutoCloseable c ? c : null, config,
                description, multipartThreshold, partSize);
    }

    /** The region: as set, else {@code AWS_REGION}, else the AWS profile's, else {@code us-east-1}. */
    static String region(StoreConfig config, Map<String, String> env) {
        if (config.region() != null) {
            return config.region();
        }
        String value = env.get("AWS_REGION");
        if (value != null && !value.isBlank()) {
            return value.trim();
        }
        try {
            Region fromProfile = new AwsProfileRegionProvider().getRegion();
            if (fromProfile != null) {
                return fromProfile.id();
            }
        } catch (SdkClientException e) {
            // no profile, or no region in it
        }
        return StoreConfig.FALLBACK_REGION;
    }

    @Override
    public long put(String key, Path file, String contentType) throws IOException {
        String objectKey = config.key(key);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size <= multipartThreshold) {
                byte[] body = read(channel, 0, (int) size);
                client.putObject(r -> r.bucket(config.bucket()).key(objectKey).contentType(contentType)
                        .contentLength(size).contentMD5(md5(body)), RequestBody.fromBytes(body));
            } else {
                multipart(objectKey, channel, size, contentType);
            }
            return size;
        } catch (SdkException e) {
            throw new IOException(reason(e), e);
        } catch (UncheckedIOException e) {
            // the URLConnection client throws this bare on a connection reset while it reads the response
            throw new IOException(e.getCause().getMessage() != null ? e.getCause().getMessage() : e.toString(), e);
        }
    }

    private void multipart(String objectKey, FileChannel channel, long size, String contentType) throws IOException {
        long part = Math.max(partSize, (size + MAX_PARTS - 1) / MAX_PARTS);
        String uploadId = client.createMultipartUpload(r -> r.bucket(config.bucket()).key(objectKey)
                .contentType(contentType)).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            for (long offset = 0; offset < size; offset += part) {
                int number = parts.size() + 1;
                byte[] body = read(channel, offset, (int) Math.min(part, size - offset));
                UploadPartResponse response = client.uploadPart(r -> r.bucket(config.bucket()).key(objectKey)
                        .uploadId(uploadId).partNumber(number).contentLength((long) body.length)
                        .contentMD5(md5(body)), RequestBody.fromBytes(body));
                parts.add(CompletedPart.builder().partNumber(number).eTag(response.eTag()).build());
            }
            client.completeMultipartUpload(r -> r.bucket(config.bucket()).key(objectKey).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
            multipartUploads++;
        } catch (IOException | RuntimeException e) {
            try {
                client.abortMultipartUpload(r -> r.bucket(config.bucket()).key(objectKey).uploadId(uploadId));
            } catch (SdkException abort) {
                // the store is likely unreachable: the upload stays incomplete there (a lifecycle rule that
                // aborts incomplete multipart uploads cleans it up; the next attempt starts a new one)
                LOG.debug("{}: cannot abort the multipart upload of {}: {}", config.url(), objectKey,
                        reason(abort));
            }
            throw e;
        }
    }

    private static byte[] read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new EOFException("file shorter than expected");
            }
        }
        return buffer.array();
    }

    private static String md5(byte[] body) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One line: {@code 404 NoSuchBucket: The specified bucket does not exist}, {@code Connection refused}. */
    static String reason(SdkException e) {
        if (e instanceof AwsServiceException s && s.awsErrorDetails() != null) {
            String message = s.awsErrorDetails().errorMessage();
            return s.statusCode() + " " + s.awsErrorDetails().errorCode()
                    + (message == null || message.isBlank() ? "" : ": " + message);
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() != null ? root.getMessage() : e.getMessage();
        if (message == null) {
            return root.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    @Override
    public String url() {
        return config.url();
    }

    @Override
    public String toString() {
        return description;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        client.close();
        if (credentials != null) {
            try {
                credentials.close();
            } catch (Exception e) {
                LOG.debug("close failed", e);
            }
        }
    }
}
