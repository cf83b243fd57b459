package io.streamtee.analyze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamtee.analyze.health.HealthSettings;
import io.streamtee.analyze.motion.MotionSettings;
import io.streamtee.analyze.motion.Polygon;
import io.streamtee.analyze.motion.TrackerSettings;
import io.streamtee.analyze.motion.Zone;
import io.streamtee.analyze.sink.ConfiguredSink;
import io.streamtee.analyze.sink.Sinks;
import io.streamtee.analyze.sink.mail.SmtpSink;
import io.streamtee.config.ConfigException;
import io.streamtee.ts.Tr101290;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The analyzer's config file: every key, every bad value as one line naming the key. Logic only. */
class AnalyzeFileTest {
    private static final UnaryOperator<String> ENV = Map.of("SMTP_PASSWORD", "hunter2@x")::get;

    private static AnalyzeFile parse(String yaml) {
        AnalyzeFile f = AnalyzeFile.parse("a.yml", yaml, ENV);
        for (ConfiguredSink s : f.sinks()) {
            try {
                s.sink().close();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return f;
    }

    private static final String EVERY_KEY = """
            analyze:
              listen: udp://127.0.0.1:9102
              camera: porch
              events: /tmp/porch.jsonl
              http: 127.0.0.1:0
              playback: http://127.0.0.1:8081/
              motion:
                frameHeight: 120
                threshold: 12
                minArea: 7
                lightningThreshold: 0.7
                contrastChange: 3
                minContrast: 40
                calibrationAlpha: 0.3
                alpha: 0.05
                motionAlpha: 0.02
                calibrationFrames: 20
                maxBoxes: 8
                startFrames: 4
                endGap: 3s
                updateEvery: 10s
              health:
                quietTime: 20s
                lostAfter: 3s
                backConfirm: 1s
                bitrateFloor: 500k
                bitrateLowFor: 15s
                bitrateWindow: 4s
                limits: { pat: 1s, pmt: 2s, pid: 6s, pcrRepetition: 50ms, pcrDiscontinuity: 200ms, pts: 800ms }
              masks:
                - "[[0,0.85],[1,0.85],[1,1],[0,1]]"
                - [[0.9, 0], [1, 0], [1, 0.2]]
              zones:
                - { name: door, polygon: [[0.6,0.2],[0.9,0.2],[0.9,0.9],[0.6,0.9]], minShare: 0.3 }
                - { name: path, polygon: "[[0,0.5],[0.6,0.5],[0.6,1]]" }
              sinks:
                - syslog+udp://127.0.0.1:514
                - { url: "mqtt://127.0.0.1:1883", cooldown: 0s }
                - { url: "smtp://cam:${SMTP_PASSWORD}@127.0.0.1:2525?to=me@example.org&from=c@example.org",
                    cooldown: 10m }
                - smtp://127.0.0.1:2525?to=me@example.org&from=c@example.org
                - https://127.0.0.1:9/hook?cooldown=30s
            """;

    @Test
    void everyKeyReachesItsSetting() {
        AnalyzeFile f = parse(EVERY_KEY);
        assertThat(f.listen().url()).isEqualTo("udp://127.0.0.1:9102");
        assertThat(f.camera()).isEqualTo("porch");
        assertThat(f.events()).isEqualTo("/tmp/porch.jsonl");
        assertThat(f.http()).isEqualTo("127.0.0.1:0");
        assertThat(f.httpSettings().listen().getPort()).isZero();
        assertThat(f.httpSettings().token()).isNull();
        assertThat(f.playback()).isEqualTo("http://127.0.0.1:8081");
        assertThat(f.motion()).isEqualTo(new MotionSettings(120, 12, 7, 0.7, 3.0, 40, 0.3, 0.05, 0.02, 20, 8));
        assertThat(f.tracker()).isEqualTo(new TrackerSettings(4, Duration.ofSeconds(3), Duration.ofSeconds(10)));
        assertThat(f.health()).isEqualTo(new HealthSettings(Duration.ofSeconds(20), Duration.ofSeconds(3),
                Duration.ofSeconds(1), 500_000, Duration.ofSeconds(15), Duration.ofSeconds(4),
                new Tr101290.Limits(1_000_000_000L, 2_000_000_000L, 6_000_000_000L, 50_000_000L, 200_000_000L,
                        800_000_000L)));
        assertThat(f.masks()).containsExactly(Polygon.parse("m", "[[0,0.85],[1,0.85],[1,1],[0,1]]"),
                Polygon.parse("m", "[[0.9,0],[1,0],[1,0.2]]"));
        assertThat(f.zones()).containsExactly(
                new Zone("door", Polygon.parse("z", "[[0.6,0.2],[0.9,0.2],[0.9,0.9],[0.6,0.9]]"), 0.3),
                new Zone("path", Polygon.parse("z", "[[0,0.5],[0.6,0.5],[0.6,1]]"), 0));
        assertThat(f.sinks()).extracting(s -> s.sink().name()).containsExactly("syslog+udp://127.0.0.1:514",
                "mqtt://127.0.0.1:1883", "smtp://cam@127.0.0.1:2525?to=me@example.org",
                "smtp://127.0.0.1:2525?to=me@example.org", "webhook:https://127.0.0.1:9/hook");
        assertThat(f.sinks()).extracting(ConfiguredSink::cooldown).containsExactly(Duration.ZERO, Duration.ZERO,
                Duration.ofMinutes(10), Sinks.EMAIL_COOLDOWN, Duration.ofSeconds(30));
        assertThat(f.toString()).doesNotContain("hunter2");
    }

    @Test
    void aSecretFromTheEnvironmentReachesTheSinkAndNothingShowsIt() throws Exception {
        AnalyzeFile f = parse(EVERY_KEY);
        SmtpSink smtp = (SmtpSink) f.sinks().get(2).sink();
        assertThat(smtp.toString() + smtp.name() + f).doesNotContain("hunter2");
        assertThatThrownBy(() -> AnalyzeFile.parse("a.yml", EVERY_KEY, name -> null))
                .isInstanceOf(ConfigException.class)
                .hasMessage("a.yml: analyze.sinks[2].url: ${SMTP_PASSWORD}: the environment variable SMTP_PASSWORD"
                        + " is not set");
    }

    @Test
    void whatTheFileDoesNotSayIsAbsentOrTheDefault() {
        AnalyzeFile f = parse("analyze:\n  camera: porch\n");
        assertThat(f.camera()).isEqualTo("porch");
        assertThat(f.listen()).isNull();
        assertThat(f.events()).isNull();
        assertThat(f.http()).isNull();
        assertThat(f.playback()).isNull();
        assertThat(f.motion()).isEqualTo(MotionSettings.defaults());
        assertThat(f.tracker()).isEqualTo(TrackerSettings.DEFAULTS);
        assertThat(f.health()).isEqualTo(HealthSettings.DEFAULTS);
        assertThat(f.masks()).isEmpty();
        assertThat(f.zones()).isEmpty();
        assertThat(f.sinks()).isEmpty();
        AnalyzeFile partial = parse("analyze:\n  motion: { threshold: 10 }\n  health: { lostAfter: 5s }\n");
        assertThat(partial.motion()).isEqualTo(MotionSettings.defaults().withThreshold(10));
        assertThat(partial.health()).isEqualTo(HealthSettings.DEFAULTS.withLostAfter(Duration.ofSeconds(5)));
    }

    @Test
    void offTurnsThingsOffAsWrittenOrAsYamlReadsIt() {
        for (String off : new String[] {"off", "\"off\"", "false", "OFF"}) {
            AnalyzeFile f = parse("analyze:\n  events: " + off + "\n  http: " + off + "\n  playback: " + off
                    + "\n  health: { bitrateFloor: " + off + " }\n");
            assertThat(f.events()).as(off).isEqualTo("off");
            assertThat(f.http()).as(off).isEqualTo("off");
            assertThat(f.httpSettings()).isNull();
            assertThat(f.playback()).as(off).isEqualTo("off");
            assertThat(f.health().bitrateFloor()).isZero();
        }
    }

    @Test
    void zonesMayAlsoBeAMappingByName() {
        AnalyzeFile f = parse("""
                analyze:
                  zones:
                    door: { polygon: [[0.6,0.2],[0.9,0.2],[0.9,0.9]], minShare: 0.5 }
                    path: [[0,0.5],[0.6,0.5],[0.6,1]]
                """);
        assertThat(f.zones()).containsExactly(new Zone("door", Polygon.parse("z", "[[0.6,0.2],[0.9,0.2],[0.9,0.9]]"),
                0.5), Zone.of("path", Polygon.parse("z", "[[0,0.5],[0.6,0.5],[0.6,1]]")));
    }

    @Test
    void theExampleFileParsesToTheDefaults() throws Exception {
        Path example = Path.of("..", "analyze.example.yml");
        AnalyzeFile f = AnalyzeFile.parse(example.toString(), Files.readString(example), ENV);
        for (ConfiguredSink s : f.sinks()) {
            s.sink().close();
        }
        assertThat(f.motion()).as("the example lists the defaults").isEqualTo(MotionSettings.defaults());
        assertThat(f.tracker()).isEqualTo(TrackerSettings.DEFAULTS);
        assertThat(f.health()).isEqualTo(HealthSettings.DEFAULTS);
        assertThat(f.listen().url()).isEqualTo(AnalyzeCommand.DEFAULT_LISTEN);
        assertThat(f.events()).isEqualTo(AnalyzeCommand.DEFAULT_EVENTS);
        assertThat(f.masks()).hasSize(2);
        assertThat(f.zones()).extracting(Zone::name).containsExactly("door", "path");
        assertThat(f.sinks()).extracting(ConfiguredSink::cooldown).containsExactly(Duration.ZERO, Duration.ZERO,
                Duration.ofMinutes(10), Duration.ZERO);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            analyse: {}                                   | a.yml: analyse: unknown key (known: analyze)
            analyze: { camra: x }                         | a.yml: analyze.camra: unknown key (known: camera, events, health, http, listen, masks, motion, playback, sinks, zones)
            analyze: { motion: { treshold: 3 } }          | a.yml: analyze.motion.treshold: unknown key (known: alpha,
            analyze: { health: { limits: { patt: 1s } } } | a.yml: analyze.health.limits.patt: unknown key (known: pat, pcrDiscontinuity, pcrRepetition, pid, pmt, pts)
            analyze: { zones: [ { name: door, polygon: '[[0,0],[1,0],[1,1]]', minshare: 1 } ] } | a.yml: analyze.zones.door.minshare: unknown key (known: minShare, name, polygon)
            analyze: { zones: { door: { name: x, polygon: '[[0,0],[1,0],[1,1]]' } } } | a.yml: analyze.zones.door.name: unknown key here: the zone's name is its key (known: minShare, polygon)
            analyze: { sinks: [ mqtt://127.0.0.1, { url: mqtt://127.0.0.1, cooldwn: 1m } ] } | a.yml: analyze.sinks[1].cooldwn: unknown key (known: cooldown, url)
            """)
    void anUnknownKeyNamesItsPath(String yaml, String message) {
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class).hasMessageStartingWith(message)
                .hasMessageNotContaining("\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            analyze: { listen: 'nowhere' }                  | a.yml: analyze.listen:
            analyze: { camera: ' ' }                        | a.yml: analyze.camera: a name is needed
            analyze: { events: '' }                         | a.yml: analyze.events: a file is needed, or off for none
            analyze: { playback: 'ftp://x' }                | a.yml: analyze.playback: expected the recorder's playback server as http://HOST:PORT (e.g. http://127.0.0.1:8081), or off; not 'ftp://x'
            analyze: { motion: { threshold: 0 } }           | a.yml: analyze.motion.threshold: must be between 1 and 255, not 0
            analyze: { motion: { threshold: ten } }         | a.yml: analyze.motion.threshold: expected a whole number
            analyze: { motion: { frameHeight: 4 } }         | a.yml: analyze.motion.frameHeight: must be between 8 and 1080, not 4
            analyze: { motion: { minArea: 0 } }             | a.yml: analyze.motion.minArea: must be between 1 and
            analyze: { motion: { lightningThreshold: 2 } }  | a.yml: analyze.motion.lightningThreshold: must be more than 0 and at most 1, not 2.0
            analyze: { motion: { lightningThreshold: x } }  | a.yml: analyze.motion.lightningThreshold: expected a number
            analyze: { motion: { contrastChange: 1 } }      | a.yml: analyze.motion.contrastChange: must be more than 1, not 1.0
            analyze: { motion: { minContrast: 300 } }       | a.yml: analyze.motion.minContrast: must be between 1 and 255, not 300
            analyze: { motion: { calibrationAlpha: 0 } }    | a.yml: analyze.motion.calibrationAlpha: must be more than 0 and at most 1, not 0.0
            analyze: { motion: { alpha: -1 } }              | a.yml: analyze.motion.alpha: must be more than 0 and at most 1, not -1.0
            analyze: { motion: { motionAlpha: 1.5 } }       | a.yml: analyze.motion.motionAlpha: must be more than 0 and at most 1, not 1.5
            analyze: { motion: { calibrationFrames: 0 } }   | a.yml: analyze.motion.calibrationFrames: must be between 1 and 100000, not 0
            analyze: { motion: { maxBoxes: 0 } }            | a.yml: analyze.motion.maxBoxes: must be between 1 and 10000, not 0
            analyze: { motion: { startFrames: 0 } }         | a.yml: analyze.motion.startFrames: must be between 1 and 10000, not 0
            analyze: { motion: { endGap: 0s } }             | a.yml: analyze.motion.endGap: must be more than 0
            analyze: { motion: { endGap: soon } }           | a.yml: analyze.motion.endGap: 'soon' is not a duration (examples: 500ms, 10s, 5m, 2h, 7d)
            analyze: { motion: { updateEvery: '-1s' } }     | a.yml: analyze.motion.updateEvery: '-1s' is not a duration
            analyze: { health: { quietTime: x } }           | a.yml: analyze.health.quietTime: 'x' is not a duration
            analyze: { health: { lostAfter: 0s } }          | a.yml: analyze.health.lostAfter: must be more than 0
            analyze: { health: { backConfirm: x } }         | a.yml: analyze.health.backConfirm: 'x' is not a duration
            analyze: { health: { bitrateFloor: fast } }     | a.yml: analyze.health.bitrateFloor: 'fast' is not a bit rate
            analyze: { health: { bitrateLowFor: x } }       | a.yml: analyze.health.bitrateLowFor: 'x' is not a duration
            analyze: { health: { bitrateWindow: 0 } }       | a.yml: analyze.health.bitrateWindow: must be more than 0
            analyze: { health: { limits: { pat: 0s } } }    | a.yml: analyze.health.limits.pat: must be more than 0
            analyze: { health: { limits: { pmt: x } } }     | a.yml: analyze.health.limits.pmt: 'x' is not a duration
            analyze: { health: { limits: { pid: 0 } } }     | a.yml: analyze.health.limits.pid: must be more than 0
            analyze: { health: { limits: { pcrRepetition: x } } } | a.yml: analyze.health.limits.pcrRepetition: 'x' is not a duration
            analyze: { health: { limits: { pcrDiscontinuity: x } } } | a.yml: analyze.health.limits.pcrDiscontinuity: 'x' is not a duration
            analyze: { health: { limits: { pts: x } } }     | a.yml: analyze.health.limits.pts: 'x' is not a duration
            analyze: { health: [ 1 ] }                      | a.yml: analyze.health: expected a mapping
            analyze: { masks: [ '[[0,0],[1,1]]' ] }         | a.yml: analyze.masks[0]: a polygon needs at least 3 points, not 2
            analyze: { masks: [ [[0,0],[1,1],[2,0]] ] }     | a.yml: analyze.masks[0]: point 3: coordinates are fractions of the picture, between 0 and 1, not 2.0
            analyze: { masks: [ [[0,0],[1],[1,0]] ] }       | a.yml: analyze.masks[0]: point 2 must be [x,y], two numbers, not [1]
            analyze: { masks: [ 3 ] }                       | a.yml: analyze.masks[0]: expected a polygon
            analyze: { masks: 3 }                           | a.yml: analyze.masks: expected a list
            analyze: { zones: [ { name: door, polygon: [[0.6,0.2],[0.9,0.2]] } ] } | a.yml: analyze.zones.door.polygon: a polygon needs at least 3 points, not 2
            analyze: { zones: [ { name: door } ] }          | a.yml: analyze.zones.door.polygon: missing
            analyze: { zones: [ { polygon: [[0,0],[1,0],[1,1]] } ] } | a.yml: analyze.zones[0].name: missing
            analyze: { zones: [ { name: 'a b', polygon: [[0,0],[1,0],[1,1]] } ] } | a.yml: analyze.zones.a b: a zone name is letters, digits, _ and -, not 'a b'
            analyze: { zones: [ { name: door, polygon: [[0,0],[1,0],[1,1]], minShare: 2 } ] } | a.yml: analyze.zones.door.minShare: must be between 0 and 1, not 2.0
            analyze: { zones: [ { name: door, polygon: [[0,0],[1,0],[1,1]], minShare: half } ] } | a.yml: analyze.zones.door.minShare: expected a number between 0 and 1, not "half"
            analyze: { zones: [ { name: door, polygon: [[0,0],[1,0],[1,1]] }, { name: door, polygon: [[0,0],[1,0],[1,1]] } ] } | a.yml: analyze.zones.door: the zone 'door' is given twice
            analyze: { zones: [ door ] }                    | a.yml: analyze.zones[0]: expected {name: NAME, polygon: [[x,y],...], minShare: 0.3}
            analyze: { zones: 3 }                           | a.yml: analyze.zones: expected a list of {name, polygon, minShare}
            analyze: { sinks: [ mqtt://127.0.0.1, mqtt://127.0.0.1, 'smtp://127.0.0.1:2525' ] } | a.yml: analyze.sinks[2]: sink 'smtp://127.0.0.1:2525': ?to= is required
            analyze: { sinks: [ nope://x ] }                | a.yml: analyze.sinks[0]: sink 'nope://x': unknown kind
            analyze: { sinks: [ mqtt://127.0.0.1, mqtt://127.0.0.1, { url: 'smtp://127.0.0.1:2525' } ] } | a.yml: analyze.sinks[2].url: sink 'smtp://127.0.0.1:2525': ?to= is required
            analyze: { sinks: [ { cooldown: 1m } ] }        | a.yml: analyze.sinks[0].url: missing
            analyze: { sinks: [ { url: mqtt://127.0.0.1, cooldown: soon } ] } | a.yml: analyze.sinks[0].cooldown: 'soon' is not a duration
            analyze: { sinks: [ 'mqtt://127.0.0.1?cooldown=soon' ] } | a.yml: analyze.sinks[0]: ?cooldown=: 'soon' is not a duration
            analyze: { sinks: [ { url: 'mqtt://127.0.0.1?cooldown=1m', cooldown: 2m } ] } | a.yml: analyze.sinks[0].url: the cooldown is given twice
            analyze: { sinks: [ 'smtp://u:${NOPE}@127.0.0.1?to=a@b.org&from=c@d.org' ] } | a.yml: analyze.sinks[0]: ${NOPE}: the environment variable NOPE is not set
            analyze: { sinks: [ 3 ] }                       | a.yml: analyze.sinks[0]: expected a sink URL, or {url: URL, cooldown: 5m}
            """)
    void aBadValueIsOneLineNamingItsKey(String yaml, String message) {
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class).hasMessageStartingWith(message)
                .hasMessageNotContaining("\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            analyze: { http: '10.0.0.1:8082' }              | a.yml: analyze.http: 10.0.0.1:8082 is not a loopback address: set STREAMTEE_API_TOKEN
            analyze: { http: 'nowhere' }                    | a.yml: analyze.http: 
            """)
    void aBadHttpAddressIsOneLineNamingItsKeyWhenItIsUsed(String yaml, String message) {
        // said when the address is used, not when the file is read: --http on the command line overrides it
        AnalyzeFile file = parse(yaml);
        assertThatThrownBy(file::httpSettings).isInstanceOf(ConfigException.class).hasMessageStartingWith(message)
                .hasMessageNotContaining("\n");
    }

    @Test
    void aSecretInABadSinkUrlIsNotShown() {
        assertThatThrownBy(() -> parse("analyze: { sinks: [ 'smtp://u:${SMTP_PASSWORD}@127.0.0.1:2525' ] }"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("analyze.sinks[0]: sink 'smtp://u:***@")
                .hasMessageNotContaining("hunter2").hasMessageNotContaining("hunter2%40x");
    }

    @Test
    void notYamlGivesLineAndColumnAndAnEmptyFileSaysWhatIsExpected() {
        assertThatThrownBy(() -> parse("analyze:\n  camera: [porch\n")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("a.yml:").hasMessageNotContaining("\n");
        assertThatThrownBy(() -> parse("")).hasMessage("a.yml: empty config (expected an 'analyze:' section)");
        assertThatThrownBy(() -> parse("analyze:\n")).hasMessage("a.yml: empty config (expected an 'analyze:' "
                + "section)");
    }

    @Test
    void aMissingFileIsOneLine() {
        assertThatThrownBy(() -> AnalyzeFile.load(Path.of("no-such-dir", "a.yml"))).isInstanceOf(
                ConfigException.class).hasMessage(Path.of("no-such-dir", "a.yml") + ": no such file");
    }
}
