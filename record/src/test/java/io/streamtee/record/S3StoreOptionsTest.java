package io.streamtee.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.cli.Cli;
import io.streamtee.config.ConfigException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.core.exception.SdkClientException;

/** {@code --store} and its options: what they mean, what the environment adds, one-line errors naming the flag. */
class S3StoreOptionsTest {

    @TempDir
    Path dir;

    private record Run(int code, String err) {
    }

    private Run run(String... args) {
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 2];
        all[0] = "--dir";
        all[1] = dir.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return new Run(Cli.run(new RecordCommand(), new PrintWriter(new StringWriter()), new PrintWriter(err), all),
                err.toString());
    }

    private static RecorderConfig parse(String... args) {
        RecordCommand c = new RecordCommand();
        new CommandLine(c).parseArgs(args);
        return c.config();
    }

    @Test
    void bucketPrefixAndKeys() {
        assertThat(parse().store()).isNull();
        StoreConfig store = parse("--store", "s3://recordings/site/a/", "--camera", "frontdoor").store();
        assertThat(store).isEqualTo(new StoreConfig("recordings", "site/a", null, null, null));
        assertThat(store.url()).isEqualTo("s3://recordings/site/a");
        assertThat(store.key("frontdoor/2026/11/24/05-30-00.ts")).isEqualTo("site/a/frontdoor/2026/11/24/05-30-00.ts");
        assertThat(store.key("frontdoor/index.db")).isEqualTo("site/a/frontdoor/index.db");
        StoreConfig bare = parse("--store", "s3://recordings").store();
        assertThat(bare.prefix()).isEmpty();
        assertThat(bare.key("frontdoor/index.db")).isEqualTo("frontdoor/index.db");
    }

    @Test
    void ociEndpointRegionAndPathStyle() {
        StoreConfig oci = parse("--store", "s3://cams", "--store-endpoint",
                "https://axaxnpcrorw5.compat.objectstorage.eu-frankfurt-1.oraclecloud.com",
                "--store-region", "eu-frankfurt-1").store();
        assertThat(oci.endpoint(Map.of())).hasHost("axaxnpcrorw5.compat.objectstorage.eu-frankfurt-1.oraclecloud.com");
        assertThat(oci.region()).isEqualTo("eu-frankfurt-1");
        assertThat(oci.pathStyle(Map.of())).as("on when an endpoint is given").isTrue();
        assertThat(S3ObjectStore.region(oci, Map.of("AWS_REGION", "us-west-2"))).isEqualTo("eu-frankfurt-1");

        StoreConfig virtualHosts = parse("--store", "s3://cams", "--store-endpoint", "https://s3.example.net",
                "--no-store-path-style").store();
        assertThat(virtualHosts.pathStyle(Map.of())).isFalse();
        StoreConfig aws = parse("--store", "s3://cams").store();
        assertThat(aws.endpoint(Map.of())).isNull();
        assertThat(aws.pathStyle(Map.of())).as("AWS: virtual-hosted style").isFalse();
        assertThat(parse("--store", "s3://cams", "--store-path-style").store().pathStyle(Map.of())).isTrue();
    }

    @Test
    void whatTheOptionsLeaveOutComesFromTheAwsEnvironment() {
        StoreConfig store = StoreConfig.parse("s3://cams");
        Map<String, String> env = Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:9000", "AWS_REGION", "eu-west-3");
        assertThat(store.endpoint(env)).isEqualTo(URI.create("http://127.0.0.1:9000"));
        assertThat(store.pathStyle(env)).isTrue();
        assertThat(S3ObjectStore.region(store, env)).isEqualTo("eu-west-3");
        assertThat(store.endpoint(Map.of("AWS_ENDPOINT_URL", "http://a:1", "AWS_ENDPOINT_URL_S3", "http://b:2")))
                .as("the S3-specific variable first").isEqualTo(URI.create("http://b:2"));
        assertThat(store.withEndpoint(URI.create("https://c")).endpoint(env)).as("the option first")
                .isEqualTo(URI.create("https://c"));
        assertThatThrownBy(() -> store.endpoint(Map.of("AWS_ENDPOINT_URL", "minio:9000")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("AWS_ENDPOINT_URL: 'minio:9000'");
    }

    @Test
    void withNoRegionAnywhereSigningUsesUsEast1() {
        String before = System.getProperty("aws.configFile");
        System.setProperty("aws.configFile", dir.resolve("no-such-config").toString()); // no profile region either
        try {
            assertThat(S3ObjectStore.region(StoreConfig.parse("s3://cams"), Map.of())).isEqualTo("us-east-1");
        } finally {
            if (before == null) {
                System.clearProperty("aws.configFile");
            } else {
                System.setProperty("aws.configFile", before);
            }
        }
    }

    @Test
    void badOptionsGiveOneLineNamingTheFlagAndExitTwo() {
        assertThat(run("--store", "http://cams/a")).isEqualTo(new Run(2,
                "streamtee record: --store: 'http://cams/a' is not an s3:// URL (expected s3://bucket/prefix)\n"));
        assertThat(run("--store", "s3://")).isEqualTo(new Run(2,
                "streamtee record: --store: 's3://' has no bucket (expected s3://bucket/prefix)\n"));
        assertThat(run("--store", "s3:///site/a").err()).isEqualTo(
                "streamtee record: --store: 's3:///site/a' has no bucket (expected s3://bucket/prefix)\n");
        assertThat(run("--store", "s3://my cams").err()).isEqualTo(
                "streamtee record: --store: 'my cams' is not a bucket name (letters, digits, . _ -)\n");
        assertThat(run("--store", "s3://cams/a//b").err()).isEqualTo(
                "streamtee record: --store: prefix 'a//b' has an empty path segment\n");
        assertThat(run("--store", "s3://cams?region=x").err()).startsWith("streamtee record: --store: ")
                .hasLineCount(1);
        assertThat(run("--store", "s3://cams", "--store-endpoint", "ftp://example.com")).isEqualTo(new Run(2,
                "streamtee record: --store-endpoint: 'ftp://example.com' is not an http:// or https:// URL\n"));
        assertThat(run("--store", "s3://cams", "--store-endpoint", "minio:9000").err())
                .startsWith("streamtee record: --store-endpoint: 'minio:9000'").hasLineCount(1);
        assertThat(run("--store", "s3://cams", "--store-region", "EU Frankfurt")).isEqualTo(new Run(2,
                "streamtee record: --store-region: 'EU Frankfurt' is not a region name (e.g. us-east-1,"
                        + " eu-frankfurt-1)\n"));
        assertThat(run("--store-endpoint", "http://127.0.0.1:9000")).isEqualTo(new Run(2,
                "streamtee record: --store-endpoint: needs --store s3://BUCKET[/PREFIX]\n"));
        assertThat(run("--store-region", "us-east-1").err())
                .isEqualTo("streamtee record: --store-region: needs --store s3://BUCKET[/PREFIX]\n");
    }

    @Test
    void noCredentialsIsOneLineBeforeAnyRequest() {
        StoreConfig store = StoreConfig.parse("s3://cams").withEndpoint(URI.create("http://127.0.0.1:9"))
                .withRegion("us-east-1");
        assertThatThrownBy(() -> S3ObjectStore.open(store, Map.of(), () -> {
            throw SdkClientException.create("Unable to load credentials from any of the providers in the chain");
        }, S3ObjectStore.DEFAULT_PART_SIZE, S3ObjectStore.DEFAULT_PART_SIZE))
                .isInstanceOf(RecordException.class)
                .hasMessage("--store s3://cams: no credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
                        + "AWS_PROFILE)");
    }
}
