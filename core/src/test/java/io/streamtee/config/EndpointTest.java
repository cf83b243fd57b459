package io.streamtee.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.config.Endpoint.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointTest {
    @Test
    void bareHostPortIsUdp() {
        Endpoint e = Endpoint.parse("127.0.0.1:8101", Role.OUTPUT);
        assertThat(e.address().getHostString()).isEqualTo("127.0.0.1");
        assertThat(e.address().getPort()).isEqualTo(8101);
        assertThat(e.isMulticast()).isFalse();
        assertThat(e.url()).isEqualTo("127.0.0.1:8101");
    }

    @Test
    void ipv6InBrackets() {
        Endpoint e = Endpoint.parse("udp://[::1]:8100", Role.INPUT);
        assertThat(e.isIpv6()).isTrue();
        assertThat(e.address().getPort()).isEqualTo(8100);
    }

    @Test
    void multicastOutputParameters() {
        Endpoint e = Endpoint.parse("udp://239.2.2.2:5000?ttl=4&loop=0&iface=lo", Role.OUTPUT);
        assertThat(e.isMulticast()).isTrue();
        assertThat(e.ttl()).isEqualTo(4);
        assertThat(e.loop()).isFalse();
        assertThat(e.networkInterface().getName()).isEqualTo("lo");
    }

    @Test
    void interfaceByAddress() throws Exception {
        Endpoint e = Endpoint.parse("udp://239.1.1.1:5000?iface=127.0.0.1", Role.INPUT);
        assertThat(e.networkInterface().isLoopback()).isTrue();
    }

    @Test
    void sourceSpecificMulticast() {
        Endpoint e = Endpoint.parse("udp://232.1.1.1:5000?source=10.0.0.7", Role.INPUT);
        assertThat(e.source().getHostAddress()).isEqualTo("10.0.0.7");
        assertThat(e.ttl()).isEqualTo(1);
        assertThat(e.loop()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "http://127.0.0.1:1/x   | OUTPUT | bad URL 'http://127.0.0.1:1/x': scheme 'http' is not supported for an output (use kafka://, srt://, tcp://, udp://)",
        "udp://127.0.0.1:1/x    | OUTPUT | bad URL 'udp://127.0.0.1:1/x': a udp:// address has no path",
        "tcp://127.0.0.1:1?framing=rtp | OUTPUT | bad URL 'tcp://127.0.0.1:1?framing=rtp': framing 'rtp' is not one of ts, length",
        "127.0.0.1              | OUTPUT | bad URL '127.0.0.1': no port (expected host:port)",
        "127.0.0.1:http         | OUTPUT | bad URL '127.0.0.1:http': port 'http' is not a number",
        "127.0.0.1:70000        | OUTPUT | bad URL '127.0.0.1:70000': port 70000 is out of range 1-65535",
        "127.0.0.1:0            | OUTPUT | bad URL '127.0.0.1:0': port 0 is out of range 1-65535",
        "::1:8100               | INPUT  | bad URL '::1:8100': write an IPv6 address in brackets, e.g. udp://[::1]:8100",
        "udp://:8100            | INPUT  | bad URL 'udp://:8100': no host (use 0.0.0.0 or [::] to listen on every address)",
        "udp://1.2.3.4:1?ttl=3  | INPUT  | bad URL 'udp://1.2.3.4:1?ttl=3': unknown parameter 'ttl' for a udp input (known: iface, source)",
        "udp://239.1.1.1:1?ttl=300 | OUTPUT | bad URL 'udp://239.1.1.1:1?ttl=300': ttl 300 is out of range 0-255",
        "udp://239.1.1.1:1?loop=maybe | OUTPUT | bad URL 'udp://239.1.1.1:1?loop=maybe': loop 'maybe' is not one of 1/0/true/false",
        "udp://239.1.1.1:1?iface=nosuch0 | INPUT | bad URL 'udp://239.1.1.1:1?iface=nosuch0': no network interface 'nosuch0' on this machine",
        "udp://10.0.0.1:1?source=10.0.0.7 | INPUT | bad URL 'udp://10.0.0.1:1?source=10.0.0.7': source= needs a multicast group address",
    })
    void badUrlsSayWhatIsWrong(String url, Role role, String message) {
        assertThatThrownBy(() -> Endpoint.parse(url, role)).isInstanceOf(ConfigException.class).hasMessage(message);
    }

    @Test
    void streamSchemes() {
        Endpoint tcp = Endpoint.parse("tcp://127.0.0.1:9100?framing=length", Role.OUTPUT);
        assertThat(tcp.scheme()).isEqualTo("tcp");
        assertThat(tcp.framing()).isEqualTo("length");
        Endpoint in = Endpoint.parse("tcp://0.0.0.0:9100", Role.INPUT);
        assertThat(in.framing()).isEqualTo("ts");
        Endpoint http = Endpoint.parse("http://127.0.0.1/cam/stream.ts", Role.INPUT);
        assertThat(http.address().getPort()).isEqualTo(80);
        assertThat(http.path()).isEqualTo("/cam/stream.ts");
        assertThat(Endpoint.parse("http://[::1]:8080/s", Role.INPUT).address().getPort()).isEqualTo(8080);
        assertThat(Endpoint.parse("127.0.0.1:5", Role.OUTPUT).isUdp()).isTrue();
    }

    @Test
    void unresolvableHostIsNamed() {
        assertThatThrownBy(() -> Endpoint.parse("no-such-host.invalid:8101", Role.OUTPUT))
                .hasMessage("cannot resolve host 'no-such-host.invalid' in 'no-such-host.invalid:8101'");
    }

    @Test
    void rtspInputKeepsPathAndCameraParametersAndDefaultsToPort554() {
        Endpoint e = Endpoint.parse("rtsp://admin:s3cret@127.0.0.1/cam/realmonitor?channel=1&subtype=0&transport=udp",
                Role.INPUT);
        assertThat(e.scheme()).isEqualTo("rtsp");
        assertThat(e.address().getPort()).isEqualTo(554);
        assertThat(e.path()).isEqualTo("/cam/realmonitor");
        assertThat(e.transport()).isEqualTo("udp");
        assertThat(e.params()).containsEntry("channel", "1").containsEntry("subtype", "0");
        assertThat(Endpoint.parse("rtsp://127.0.0.1:8554/s", Role.INPUT).transport()).isEqualTo("tcp");
        assertThat(Endpoint.parse("rtsps://127.0.0.1/s", Role.INPUT).address().getPort()).isEqualTo(322);
    }

    @Test
    void rtspAudioIsCopyOrDropAndAnythingElseIsOneLineNamingAudio() {
        assertThat(Endpoint.parse("rtsp://127.0.0.1:8554/s", Role.INPUT).audio()).isEqualTo("copy");
        assertThat(Endpoint.parse("rtsp://127.0.0.1:8554/s?audio=drop", Role.INPUT).audio()).isEqualTo("drop");
        assertThat(Endpoint.parse("rtsps://127.0.0.1/s?audio=copy&transport=udp", Role.INPUT).audio())
                .isEqualTo("copy");
        assertThatThrownBy(() -> Endpoint.parse("rtsp://admin:s3cret@127.0.0.1/s?audio=aac", Role.INPUT))
                .hasMessage("bad URL 'rtsp://admin:***@127.0.0.1/s?audio=aac': audio 'aac' is not one of copy, drop");
    }

    @Test
    void thePasswordNeverShows() {
        Endpoint e = Endpoint.parse("rtsp://admin:s3cret@127.0.0.1:8554/stream1", Role.INPUT);
        assertThat(e.url()).contains("s3cret"); // what the RTSP client is given
        assertThat(e.masked()).isEqualTo("rtsp://admin:***@127.0.0.1:8554/stream1");
        assertThat(e.toString()).isEqualTo(e.masked());
        assertThat(Endpoint.mask("rtsp://user@cam/1")).isEqualTo("rtsp://user@cam/1");
        assertThat(Endpoint.mask("rtsp://u:p:q@cam:554/a@b")).isEqualTo("rtsp://u:***@cam:554/a@b");
        assertThat(Endpoint.mask("udp://127.0.0.1:5")).isEqualTo("udp://127.0.0.1:5");
        assertThatThrownBy(() -> Endpoint.parse("rtsp://admin:s3cret@127.0.0.1/s?transport=http", Role.INPUT))
                .hasMessage("bad URL 'rtsp://admin:***@127.0.0.1/s?transport=http': transport 'http' is not one of tcp, udp");
        assertThatThrownBy(() -> Endpoint.parse("rtsp://admin:s3cret@127.0.0.1:x/s", Role.INPUT))
                .hasMessage("bad URL 'rtsp://admin:***@127.0.0.1:x/s': port 'x' is not a number");
        assertThatThrownBy(() -> Endpoint.parse("rtsp://admin:s3cret@127.0.0.1/s", Role.OUTPUT))
                .message().doesNotContain("s3cret").contains("'rtsp' is not supported for an output");
        assertThatThrownBy(() -> Endpoint.parse("udp://a:b@127.0.0.1:5", Role.INPUT))
                .hasMessage("bad URL 'udp://a:***@127.0.0.1:5': a udp:// address takes no user or password");
    }

    @Test
    void srtInputTakesModePassphraseLatencyAndStreamidAndMasksThePassphrase() {
        Endpoint e = Endpoint.parse("srt://127.0.0.1:9000?mode=caller&passphrase=0123456789abc&latency=200ms&streamid=cam1",
                Role.INPUT);
        assertThat(e.scheme()).isEqualTo("srt");
        assertThat(e.address().getPort()).isEqualTo(9000);
        assertThat(e.srtMode()).isEqualTo("caller");
        assertThat(e.srtPassphrase()).isEqualTo("0123456789abc");
        assertThat(e.srtLatency()).isEqualTo(java.time.Duration.ofMillis(200));
        assertThat(e.params()).containsEntry("streamid", "cam1");
        assertThat(e.masked()).isEqualTo("srt://127.0.0.1:9000?mode=caller&passphrase=***&latency=200ms&streamid=cam1");
        assertThat(e.toString()).doesNotContain("0123456789abc");
        Endpoint plain = Endpoint.parse("srt://0.0.0.0:9000", Role.INPUT);
        assertThat(plain.srtMode()).isEqualTo("listener");
        assertThat(plain.srtPassphrase()).isNull();
        assertThat(plain.srtLatency()).isNull();
        assertThatThrownBy(() -> Endpoint.parse("srt://127.0.0.1:9000?mode=push&passphrase=0123456789abc", Role.INPUT))
                .hasMessage("bad URL 'srt://127.0.0.1:9000?mode=push&passphrase=***': mode 'push' is not one of"
                        + " listener, caller, rendezvous");
        assertThatThrownBy(() -> Endpoint.parse("srt://127.0.0.1:9000?passphrase=short", Role.INPUT))
                .hasMessage("bad URL 'srt://127.0.0.1:9000?passphrase=***': passphrase must be 10 to 79 characters long");
        assertThatThrownBy(() -> Endpoint.parse("srt://127.0.0.1:9000?latency=fast", Role.INPUT))
                .message().contains("latency").doesNotContain("\n");
        assertThatThrownBy(() -> Endpoint.parse("srt://127.0.0.1:9000?pkt_size=1316&passphrase=0123456789abc",
                Role.INPUT)).message().contains("unknown parameter 'pkt_size'").doesNotContain("0123456789abc");
        assertThatThrownBy(() -> Endpoint.parse("srt://127.0.0.1/x", Role.INPUT)).message().contains("port");
    }

    @Test
    void kafkaTakesABrokerListATopicAndClientPropertiesAndMasksSecrets() {
        Endpoint out = Endpoint.parse("kafka://127.0.0.1:9093,127.0.0.2,[::1]:9094/cams.v1?key=door&linger=5ms"
                + "&producer.security.protocol=SASL_SSL&producer.sasl.jaas.config=x%20password%3D%22s3cret%22"
                + "&producer.ssl.truststore.password=hunter2", Role.OUTPUT);
        assertThat(out.scheme()).isEqualTo("kafka");
        assertThat(out.address().getPort()).isEqualTo(9093);
        assertThat(out.path()).isEqualTo("/cams.v1");
        assertThat(out.params()).containsEntry("key", "door").containsEntry("producer.security.protocol", "SASL_SSL")
                .containsEntry("producer.sasl.jaas.config", "x password=\"s3cret\"");
        assertThat(out.masked()).isEqualTo("kafka://127.0.0.1:9093,127.0.0.2,[::1]:9094/cams.v1?key=door&linger=5ms"
                + "&producer.security.protocol=SASL_SSL&producer.sasl.jaas.config=***"
                + "&producer.ssl.truststore.password=***");
        Endpoint in = Endpoint.parse("kafka://127.0.0.1/cams?group=recorders&from=earliest&consumer.max.poll.records=50",
                Role.INPUT);
        assertThat(in.address().getPort()).isEqualTo(Endpoint.KAFKA_PORT);
        assertThat(in.params()).containsEntry("group", "recorders").containsEntry("consumer.max.poll.records", "50");
        // a Kafka PASSWORD property whose name ends in passphrase
        assertThat(Endpoint.parse("kafka://127.0.0.1/cams?consumer.sasl.oauthbearer.assertion.private.key.passphrase"
                + "=hunter2", Role.INPUT).masked()).doesNotContain("hunter2").endsWith(".passphrase=***");
    }

    @Test
    void aBadKafkaUrlIsOneLineNamingWhatIsWrong() {
        assertThatThrownBy(() -> Endpoint.parse("kafka://127.0.0.1:9092/cams?replicas=3", Role.OUTPUT))
                .hasMessage("bad URL 'kafka://127.0.0.1:9092/cams?replicas=3': unknown parameter 'replicas' for a"
                        + " kafka output (known: acks, batch, buffer, ca, compression, key, linger, partitions, sasl, tls,"
                        + " producer.<any Kafka client property>)");
        assertThatThrownBy(() -> Endpoint.parse("kafka://127.0.0.1:9092/cams?producer.acks=1", Role.INPUT))
                .message().contains("unknown parameter 'producer.acks' for a kafka input");
        assertThatThrownBy(() -> Endpoint.parse("kafka://127.0.0.1:9092", Role.OUTPUT))
                .hasMessage("bad URL 'kafka://127.0.0.1:9092': no topic (expected kafka://broker:9092/topic)");
        assertThatThrownBy(() -> Endpoint.parse("kafka://127.0.0.1:9092/a/b", Role.OUTPUT))
                .message().contains("topic 'a/b' is not a Kafka topic name");
        assertThatThrownBy(() -> Endpoint.parse("kafka://127.0.0.1:9092,/cams", Role.OUTPUT))
                .message().contains("an empty broker");
        assertThatThrownBy(() -> Endpoint.parse("kafka://127.0.0.1:9092,127.0.0.1:x/cams", Role.OUTPUT))
                .message().contains("port 'x' is not a number");
    }

    @Test
    void aKafkaUrlCarriesSaslCredentialsAsUserInfoMasked() {
        Endpoint e = Endpoint.parse("kafka://relay-1:p%40ss%3Aword@127.0.0.1:9093,127.0.0.2/cams?sasl=scram-sha-512"
                + "&tls=true", Role.OUTPUT);
        assertThat(e.address().getPort()).isEqualTo(9093);
        assertThat(e.address().getHostString()).isEqualTo("127.0.0.1");
        assertThat(e.params()).containsEntry("sasl", "scram-sha-512").containsEntry("tls", "true");
        assertThat(e.masked()).isEqualTo("kafka://relay-1:***@127.0.0.1:9093,127.0.0.2/cams?sasl=scram-sha-512&tls=true");
    }
}
