package io.streamtee.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.config.ConfigException;
import io.streamtee.record.RecorderConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The serve config's defaults and its one-line errors, each naming its key path (no sockets). */
class ServeYamlTest {
    private static final UnaryOperator<String> NO_ENV = name -> null;

    private static ServeConfig parse(String yaml) {
        return ServeYaml.parse("serve.yml", yaml, NO_ENV);
    }

    private static String error(String yaml) {
        try (ServeConfig c = parse(yaml)) {
            throw new AssertionError("accepted: " + c);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).doesNotContain("\n");
            return e.getMessage();
        }
    }

    @Test
    void aCameraWithOnlyAnInputIsRecordedUnderDataAnalyzedAndViewable() {
        try (ServeConfig c = parse("cameras:\n  front:\n    input: udp://0.0.0.0:8100\n")) {
            assertThat(c.web().listen().getPort()).isEqualTo(8080);
            assertThat(c.web().listen().getAddress().isLoopbackAddress()).isTrue();
            assertThat(c.web().token()).isNull();
            assertThat(c.data()).isEqualTo(Path.of("data"));
            ServeConfig.Camera front = c.cameras().get("front");
            assertThat(front.route().name()).isEqualTo("front");
            assertThat(front.route().input().address().getPort()).isEqualTo(8100);
            assertThat(front.route().outputs()).isEmpty();
            assertThat(front.route().allow()).isEmpty();
            assertThat(front.record()).isNotNull();
            RecorderConfig rc = front.record().recorderConfig("front",
                    io.streamtee.config.Endpoint.parse("udp://127.0.0.1:8101", io.streamtee.config.Endpoint.Role.INPUT));
            assertThat(rc.cameraDir()).isEqualTo(Path.of("data", "front"));
            assertThat(rc.segment()).isEqualTo(Duration.ofSeconds(10));
            assertThat(rc.keep()).isEqualTo(Duration.ZERO);
            assertThat(rc.store()).isNull();
            assertThat(front.analyze()).isNotNull();
            assertThat(front.analyze().zones()).isEmpty();
            assertThat(front.analyze().sinks()).isEmpty();
            assertThat(front.view()).isTrue();
        }
    }

    @Test
    void aCameraUrlTakesItsPasswordFromTheEnvironmentAndAnUnsetOneIsNamedWithItsKey() {
        UnaryOperator<String> env = Map.of("CAM_PASSWORD", "s3cr@t", "COPY_HOST", "127.0.0.1")::get;
        try (ServeConfig c = ServeYaml.parse("serve.yml", """
                cameras:
                  porch:
                    input: rtsp://admin:${CAM_PASSWORD}@127.0.0.1:8554/stream1
                    outputs:
                      - udp://${COPY_HOST}:5000
                """, env)) {
            ServeConfig.Camera porch = c.cameras().get("porch");
            assertThat(porch.route().input().url()).isEqualTo("rtsp://admin:s3cr%40t@127.0.0.1:8554/stream1");
            assertThat(porch.route().input().masked()).doesNotContain("s3cr");
            assertThat(porch.route().outputs().get(0).url()).isEqualTo("udp://127.0.0.1:5000");
        }
        assertThat(error("cameras:\n  porch:\n    input: rtsp://admin:${CAM_PASSWORD}@127.0.0.1/s\n"))
                .isEqualTo("serve.yml: cameras.porch.input: ${CAM_PASSWORD}: the environment variable CAM_PASSWORD is not set");
        assertThat(error("cameras:\n  porch:\n    input: udp://0.0.0.0:8100\n    outputs: [udp://127.0.0.1:1, \"udp://${NOPE}:2\"]\n"))
                .isEqualTo("serve.yml: cameras.porch.outputs[1]: ${NOPE}: the environment variable NOPE is not set");
    }

    @Test
    void webUrlIsTheAddressForLinksAndABadOneIsNamed() {
        try (ServeConfig c = parse("web: { listen: 0.0.0.0:8080, token: a-long-random-token-1234, url: https://cams.example.org/ }\n"
                + "cameras:\n  front:\n    input: udp://0.0.0.0:8100\n")) {
            assertThat(c.url()).isEqualTo("https://cams.example.org");
        }
        try (ServeConfig c = parse("cameras:\n  front:\n    input: udp://0.0.0.0:8100\n")) {
            assertThat(c.url()).isNull();
        }
        assertThat(error("web: { url: cams.example.org }\ncameras:\n  front:\n    input: udp://0.0.0.0:8100\n"))
                .startsWith("serve.yml: web.url: expected the address people open the page at");
        assertThat(error("web: { url: 'http://h/?x=1' }\ncameras:\n  front:\n    input: udp://0.0.0.0:8100\n"))
                .startsWith("serve.yml: web.url: expected");
    }

    @Test
    void servicesTurnOffWithFalseAndCamerasKeepFileOrder() {
        try (ServeConfig c = parse("""
                data: /srv/cams
                cameras:
                  zeta: {input: "udp://0.0.0.0:8100", record: false, analyze: false, view: false}
                  alpha: {input: "udp://0.0.0.0:8101", outputs: ["udp://127.0.0.1:9000"], allow: [10.0.0.0/8]}
                """)) {
            assertThat(c.cameras().keySet()).containsExactly("zeta", "alpha");
            ServeConfig.Camera zeta = c.cameras().get("zeta");
            assertThat(zeta.record()).isNull();
            assertThat(zeta.analyze()).isNull();
            assertThat(zeta.view()).isFalse();
            ServeConfig.Camera alpha = c.cameras().get("alpha");
            assertThat(alpha.route().outputs()).extracting(o -> o.address().getPort()).containsExactly(9000);
            assertThat(alpha.route().allow()).hasSize(1);
            assertThat(alpha.record().dir()).isEqualTo(Path.of("/srv/cams"));
        }
    }

    @Test
    void theWebTokenComesFromTheEnvironmentWhenTheFileGivesNone() {
        String yaml = "web: {listen: 0.0.0.0:8080}\ncameras: {a: {input: udp://0.0.0.0:8100}}\n";
        try (ServeConfig c = ServeYaml.parse("serve.yml", yaml,
                Map.of("STREAMTEE_API_TOKEN", "0123456789abcdefXYZ")::get)) {
            assertThat(c.web().token()).isEqualTo("0123456789abcdefXYZ");
        }
        assertThat(error(yaml)).startsWith("serve.yml: web.token: required");
    }

    @Test
    void aTypoedKeyIsNamedWithTheKeyMeant() {
        assertThat(error("cameras:\n  front:\n    inpt: udp://0.0.0.0:8100\n"))
                .isEqualTo("serve.yml: cameras.front.inpt: unknown key (did you mean input?)");
        assertThat(error("camras: {}\n")).isEqualTo("serve.yml: camras: unknown key (did you mean cameras?)");
        assertThat(error("cameras: {a: {input: udp://0.0.0.0:8100, record: {segmnt: 5s}}}\n"))
                .isEqualTo("serve.yml: cameras.a.record.segmnt: unknown key (did you mean segment?)");
        assertThat(error("cameras: {a: {input: udp://0.0.0.0:8100, color: red}}\n"))
                .isEqualTo("serve.yml: cameras.a.color: unknown key (known: allow, analyze, input, outputs, record,"
                        + " view)");
    }

    @Test
    void aCameraWithoutInputIsRefused() {
        assertThat(error("cameras:\n  front:\n    view: false\n"))
                .isEqualTo("serve.yml: cameras.front.input: missing (e.g. udp://0.0.0.0:8100)");
        assertThat(error("cameras:\n  front:\n")).startsWith("serve.yml: cameras.front.input: missing");
        assertThat(error("web: {listen: 127.0.0.1:8080}\n")).startsWith("serve.yml: cameras: no cameras");
    }

    @Test
    void twoCamerasOnOneUdpPortAreRefused() {
        assertThat(error("cameras:\n  a: {input: udp://0.0.0.0:8100}\n  b: {input: udp://127.0.0.1:8100}\n"))
                .isEqualTo("serve.yml: cameras.b.input: udp port 8100 is already the input of camera a (each camera"
                        + " needs a port of its own)");
        // the same port on two different addresses, or over TCP and UDP, are two sockets
        try (ServeConfig c = parse("cameras:\n  a: {input: udp://127.0.0.1:8100}\n  b: {input: udp://127.0.0.2:8100}\n"
                + "  c: {input: tcp://0.0.0.0:8100}\n")) {
            assertThat(c.cameras()).hasSize(3);
        }
    }

    @Test
    void aBadCameraNameIsRefused() {
        assertThat(error("cameras:\n  \"front door\": {input: udp://0.0.0.0:8100}\n"))
                .startsWith("serve.yml: cameras.front door: 'front door' is not a camera name");
        assertThat(error("cameras:\n  .hidden: {input: udp://0.0.0.0:8100}\n"))
                .startsWith("serve.yml: cameras..hidden: '.hidden' is not a camera name");
    }

    @Test
    void aZoneOutsideThePictureIsTheAnalyzersErrorUnderTheCamerasKey() {
        String m = error("""
                cameras:
                  front:
                    input: udp://0.0.0.0:8100
                    analyze:
                      zones:
                        door: [[0.5, 0.5], [1.5, 0.5], [0.5, 1]]
                """);
        assertThat(m).startsWith("serve.yml: cameras.front.analyze.zones.door: ").contains("between 0 and 1")
                .contains("1.5");
    }

    @Test
    void analyzerKeysAreTheAnalyzersAndItsUnknownKeysAreNamedUnderTheCamera() {
        try (ServeConfig c = parse("""
                cameras:
                  front:
                    input: udp://0.0.0.0:8100
                    analyze:
                      motion: {threshold: 12}
                      zones: {door: [[0, 0], [1, 0], [1, 1]]}
                """)) {
            assertThat(c.cameras().get("front").analyze().motion().threshold()).isEqualTo(12);
            assertThat(c.cameras().get("front").analyze().zones()).extracting(z -> z.name()).containsExactly("door");
        }
        assertThat(error("cameras: {a: {input: udp://0.0.0.0:8100, analyze: {motoin: {}}}}\n"))
                .startsWith("serve.yml: cameras.a.analyze.motoin: unknown key");
        assertThat(error("cameras: {a: {input: udp://0.0.0.0:8100, analyze: {listen: udp://127.0.0.1:1}}}\n"))
                .isEqualTo("serve.yml: cameras.a.analyze.listen: set by serve for each camera, not in the file");
    }

    @Test
    void routeAndRecordValuesAreCheckedByTheirOwnModulesUnderTheCamerasKey() {
        assertThat(error("cameras: {a: {input: udp://0.0.0.0:8100, allow: [10.0.0.300/8]}}\n"))
                .startsWith("serve.yml: cameras.a.allow[0]: ");
        assertThat(error("cameras: {a: {input: udp://0.0.0.0:8100, outputs: [udp://0.0.0.0:9000]}}\n"))
                .startsWith("serve.yml: cameras.a.outputs[0]: ").contains("wildcard");
        assertThat(error("cameras: {a: {input: 'nope://x', record: false}}\n")).startsWith("serve.yml: cameras.a.input: ");
        assertThat(error("cameras: {a: {input: udp://0.0.0.0:8100, record: {segment: 50ms}}}\n"))
                .startsWith("serve.yml: cameras.a.record.segment: must be at least 100ms");
        assertThat(error("cameras: {a: {input: udp://0.0.0.0:8100, record: {keep: 3 weeks}}}\n"))
                .startsWith("serve.yml: cameras.a.record.keep");
        assertThat(error("cameras: {a: {input: udp://0.0.0.0:8100, record: {store: ftp://x}}}\n"))
                .startsWith("serve.yml: cameras.a.record.store: 'ftp://x' is not an s3:// URL");
        assertThat(error("cameras: {a: {input: udp://0.0.0.0:8100, record: {store: {url: s3://b, region: EU_1}}}}\n"))
                .startsWith("serve.yml: cameras.a.record.store.region: 'EU_1' is not a region name");
        assertThat(error("cameras: {a: {input: udp://0.0.0.0:8100, view: {maxViewers: 3}}}\n"))
                .startsWith("serve.yml: cameras.a.view.maxViewers: unknown key");
        assertThat(error("cameras: {a: {input: udp://0.0.0.0:8100, record: yes please}}\n"))
                .startsWith("serve.yml: cameras.a.record: expected a mapping, true or false");
    }

    @Test
    void aCameraGivenTwiceIsRefusedNotDropped() {
        assertThat(error("cameras:\n  a: {input: udp://0.0.0.0:8100}\n  a: {input: udp://0.0.0.0:8101}\n"))
                .isEqualTo("serve.yml: cameras.a: given twice");
        assertThat(error("cameras:\n  a: {input: udp://0.0.0.0:8100, view: true, view: false}\n"))
                .isEqualTo("serve.yml: cameras.a.view: given twice");
    }

    @Test
    void theViewSectionHasNoKeysYet() {
        assertThat(error("cameras: {a: {input: udp://0.0.0.0:8100, view: {maxViewers: 3}}}\n"))
                .isEqualTo("serve.yml: cameras.a.view.maxViewers: unknown key (view has no settings yet: {}, true"
                        + " or false)");
    }

    @Test
    void aBadWebAddressIsNamed() {
        assertThat(error("web: {listen: 'not an address'}\ncameras: {a: {input: udp://0.0.0.0:8100}}\n"))
                .startsWith("serve.yml: web.listen: ");
        assertThat(error("web: {listn: 127.0.0.1:1}\ncameras: {a: {input: udp://0.0.0.0:8100}}\n"))
                .isEqualTo("serve.yml: web.listn: unknown key (did you mean listen?)");
    }

    @Test
    void theStoreMayBeAUrlAndLimitsMayBeOff() {
        try (ServeConfig c = parse("cameras: {a: {input: udp://0.0.0.0:8100, record: {store: s3://bkt/cams/,"
                + " keep: off, maxSize: 2GiB, dir: /var/rec}}}\n")) {
            RecordSettings r = c.cameras().get("a").record();
            assertThat(r.store().bucket()).isEqualTo("bkt");
            assertThat(r.store().prefix()).isEqualTo("cams");
            assertThat(r.keep()).isEqualTo(Duration.ZERO);
            assertThat(r.maxBytes()).isEqualTo(2L << 30);
            assertThat(r.dir()).isEqualTo(Path.of("/var/rec"));
        }
    }

    @Test
    void notYamlSaysWhere() {
        assertThat(error("cameras:\n  a: {input: [}\n")).startsWith("serve.yml:2:");
    }
}
