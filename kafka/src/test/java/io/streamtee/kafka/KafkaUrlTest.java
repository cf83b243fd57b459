package io.streamtee.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.config.ConfigException;
import io.streamtee.config.Endpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaUrlTest {

    private static KafkaUrl out(String url) {
        return KafkaUrl.of(Endpoint.parse(url, Endpoint.Role.OUTPUT));
    }

    private static KafkaUrl in(String url) {
        return KafkaUrl.of(Endpoint.parse(url, Endpoint.Role.INPUT));
    }

    @Test
    void theProducerIsIdempotentWithAcksAllBatchedAndUncompressedByDefault() {
        KafkaUrl url = out("kafka://127.0.0.1:9093,127.0.0.2/cams");
        assertThat(url.brokers()).isEqualTo("127.0.0.1:9093,127.0.0.2:9092");
        assertThat(url.topic()).isEqualTo("cams");
        assertThat(url.key("frontdoor")).isEqualTo("frontdoor");
        assertThat(url.buffer()).isEqualTo(KafkaUrl.DEFAULT_BUFFER);
        Properties p = url.producer("frontdoor");
        assertThat(p).containsEntry("bootstrap.servers", "127.0.0.1:9093,127.0.0.2:9092")
                .containsEntry("acks", "all").containsEntry("enable.idempotence", "true")
                .containsEntry("compression.type", "none").containsEntry("linger.ms", "5")
                .containsEntry("batch.size", Integer.toString(KafkaUrl.DEFAULT_BATCH))
                .containsEntry("max.block.ms", "5000");
    }

    @Test
    void optionsAndProducerPropertiesOverrideTheDefaults() {
        KafkaUrl url = out("kafka://127.0.0.1/cams?key=door&acks=1&linger=20ms&batch=1MiB&compression=lz4&buffer=100"
                + "&producer.security.protocol=SASL_SSL&producer.linger.ms=7");
        assertThat(url.key("frontdoor")).isEqualTo("door");
        assertThat(url.buffer()).isEqualTo(100);
        assertThat(url.producer("frontdoor")).containsEntry("acks", "1").containsEntry("enable.idempotence", "false")
                .containsEntry("max.in.flight.requests.per.connection", "1")
                .containsEntry("batch.size", "1048576").containsEntry("compression.type", "lz4")
                .containsEntry("security.protocol", "SASL_SSL").containsEntry("linger.ms", "7");
    }

    @Test
    void aUserAndPasswordLogInWithSaslAndTlsEncrypts(@TempDir Path tmp) throws Exception {
        String pem = Files.writeString(tmp.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n").toString();
        KafkaUrl plain = out("kafka://relay-1:p%40ss%22w%5Crd+1@127.0.0.1/cams");
        assertThat(plain.producer("door")).containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"relay-1\" password=\"p@ss\\\"w\\\\rd+1\";");
        assertThat(plain.toString()).isEqualTo("kafka://relay-1:***@127.0.0.1/cams").doesNotContain("p@ss");
        KafkaUrl scram = in("kafka://u:pw@127.0.0.1/cams?sasl=scram-sha-256&tls=true&group=g");
        assertThat(scram.consumer("door")).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-256")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"u\" password=\"pw\";");
        assertThat(out("kafka://127.0.0.1/cams?tls=true").producer("door")).containsEntry("security.protocol", "SSL")
                .doesNotContainKey("sasl.jaas.config");
        assertThat(out("kafka://127.0.0.1/cams").producer("door")).containsEntry("security.protocol", "PLAINTEXT");
        assertThat(in("kafka://127.0.0.1/cams?ca=" + pem).consumer("door"))
                .containsEntry("security.protocol", "SSL").containsEntry("ssl.truststore.type", "PEM")
                .containsEntry("ssl.truststore.location", pem);
        // a property given in the URL wins
        assertThat(out("kafka://u:pw@127.0.0.1/cams?producer.sasl.mechanism=OAUTHBEARER").producer("door"))
                .containsEntry("sasl.mechanism", "OAUTHBEARER");
        assertThatThrownBy(() -> out("kafka://127.0.0.1/cams?sasl=plain").producer("door"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("bad URL 'kafka://127.0.0.1/cams?sasl=plain': sasl=plain needs a user and password:"
                        + " kafka://USER:PASSWORD@broker:9092/topic");
        assertThatThrownBy(() -> out("kafka://u:pw@127.0.0.1/cams?sasl=kerberos").producer("door"))
                .hasMessage("bad URL 'kafka://u:***@127.0.0.1/cams?sasl=kerberos': sasl 'kerberos' is not one of"
                        + " plain, scram-sha-256, scram-sha-512");
        assertThatThrownBy(() -> out("kafka://127.0.0.1/cams?partitions=0").partitions())
                .hasMessage("bad URL 'kafka://127.0.0.1/cams?partitions=0': partitions '0' is not a number in 1-100000");
        assertThat(out("kafka://127.0.0.1/cams?partitions=12").partitions()).isEqualTo(12);
        assertThat(out("kafka://u:pw@127.0.0.1/cams?tls=true").admin("door")).containsEntry("security.protocol",
                "SASL_SSL").containsKey("sasl.jaas.config").doesNotContainKey("acks");
        assertThatThrownBy(() -> out("kafka://127.0.0.1/cams?ca=/nonexistent/ca.pem").producer("door"))
                .hasMessage("bad URL 'kafka://127.0.0.1/cams?ca=/nonexistent/ca.pem': ca '/nonexistent/ca.pem' is not a"
                        + " readable file (PEM certificates the brokers' must chain to)");
        assertThatThrownBy(() -> out("kafka://127.0.0.1/cams?tls=false&ca=" + pem).producer("door"))
                .hasMessageEndingWith("ca= is for an encrypted connection: drop tls=false");
        assertThatThrownBy(() -> out("kafka://relay:s3cr%zzQ@127.0.0.1:9092/cams"))
                .isInstanceOf(ConfigException.class).hasMessage("bad URL 'kafka://relay:***@127.0.0.1:9092/cams': the"
                        + " user or password is not percent-encoded (a '%' starts %XX: write '%' as %25)");
        assertThatThrownBy(() -> out("kafka://relay:pa/ssw0rd@127.0.0.1:9092/cams"))
                .isInstanceOf(ConfigException.class).hasMessage("bad URL 'kafka://relay:***@127.0.0.1:9092/cams': the"
                        + " user or password has a '/': write it %2F");
        assertThatThrownBy(() -> in("kafka://127.0.0.1/cams?tls=yes").consumer("door"))
                .hasMessage("bad URL 'kafka://127.0.0.1/cams?tls=yes': tls 'yes' is not true or false");
    }

    @Test
    void theConsumerCommitsItselfAndStartsWhereFromSays() {
        Properties latest = in("kafka://127.0.0.1/cams").consumer("door");
        assertThat(latest).containsEntry("group.id", "streamtee-door").containsEntry("auto.offset.reset", "latest")
                .containsEntry("enable.auto.commit", "false");
        assertThat(in("kafka://127.0.0.1/cams?group=rec&from=earliest&consumer.enable.auto.commit=true"
                + "&consumer.max.poll.records=50").consumer("door")).containsEntry("group.id", "rec")
                .containsEntry("auto.offset.reset", "earliest").containsEntry("enable.auto.commit", "false")
                .containsEntry("max.poll.records", "50");
        KafkaUrl time = in("kafka://127.0.0.1/cams?from=2026-11-30T20:00:00%2B01:00");
        assertThat(time.fromTime()).isEqualTo(Instant.parse("2026-11-30T19:00:00Z"));
        assertThat(time.consumer("door")).containsEntry("auto.offset.reset", "earliest");
        assertThat(in("kafka://127.0.0.1/cams?from=2026-11-30T20:00:00Z").fromTime())
                .isEqualTo(Instant.parse("2026-11-30T20:00:00Z"));
    }

    @Test
    void badValuesAreOneLineNamingTheOption() {
        assertThatThrownBy(() -> out("kafka://127.0.0.1/cams?acks=2").producer("c"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("bad URL 'kafka://127.0.0.1/cams?acks=2': acks '2' is not one of all, 1, 0");
        assertThatThrownBy(() -> out("kafka://127.0.0.1/cams?linger=soon").producer("c"))
                .hasMessageStartingWith("bad URL 'kafka://127.0.0.1/cams?linger=soon': linger: 'soon' is not a duration");
        assertThatThrownBy(() -> out("kafka://127.0.0.1/cams?batch=0").producer("c"))
                .hasMessageContaining("batch '0' is out of range");
        assertThatThrownBy(() -> out("kafka://127.0.0.1/cams?compression=brotli").producer("c"))
                .hasMessageContaining("compression 'brotli' is not one of none, gzip, snappy, lz4, zstd");
        assertThatThrownBy(() -> out("kafka://127.0.0.1/cams?buffer=0").buffer())
                .hasMessageContaining("buffer '0' is not a number of datagrams");
        assertThatThrownBy(() -> out("kafka://127.0.0.1/cams?producer.value.serializer=x").producer("c"))
                .hasMessageContaining("'producer.value.serializer' cannot be set");
        assertThatThrownBy(() -> in("kafka://127.0.0.1/cams?consumer.group=x").consumer("c"))
                .hasMessage("bad URL 'kafka://127.0.0.1/cams?consumer.group=x': unknown Kafka client property"
                        + " 'consumer.group'");
    }
}
