package io.streamtee.analyze.health;

import io.streamtee.config.ConfigException;
import io.streamtee.config.Units;
import io.streamtee.ts.Tr101290;
import java.time.Duration;

/**
 * Thresholds of the health monitor. {@link #DEFAULTS}: quiet time 10 s, lost after 2 s of silence (as the
 * recorder), back confirmed after 5 s of data, no bitrate floor (0 = off), bitrate low for 10 s before it counts, bitrate
 * averaged over 5 s, the TR 101 290 timing limits of the standard.
 *
 * @param quietTime     a problem ends only after none of its errors were seen for this long, so a link that flaps
 *                      every second is one START and one END (key {@code quietTime})
 * @param lostAfter     silence that makes the stream lost (key {@code lostAfter})
 * @param backConfirm   data must flow this long, with no new outage, before "stream back" is reported, so that a
 *                      link that flaps (2 s off, 1 s on, ...) is one outage and not one per silence; the event still
 *                      counts the outage up to the first datagram back. 0 reports it on the first datagram (key
 *                      {@code backConfirm})
 * @param bitrateFloor  bits per second below which the bit rate is low; 0 turns the check off (key
 *                      {@code bitrateFloor})
 * @param bitrateLowFor how long the bit rate must stay below the floor before BITRATE_LOW starts (key
 *                      {@code bitrateLowFor})
 * @param bitrateWindow the window the bit rate is averaged over (key {@code bitrateWindow})
 * @param limits        the TR 101 290 timeouts handed to the demuxer
 */
public record HealthSettings(Duration quietTime, Duration lostAfter, Duration backConfirm, long bitrateFloor,
                             Duration bitrateLowFor, Duration bitrateWindow, Tr101290.Limits limits) {
    public static final HealthSettings DEFAULTS = new HealthSettings(Duration.ofSeconds(10), Duration.ofSeconds(2),
            Duration.ofSeconds(5), 0, Duration.ofSeconds(10), Duration.ofSeconds(5), Tr101290.Limits.DEFAULTS);

    public HealthSettings {
        notNegative("quietTime", quietTime);
        positive("lostAfter", lostAfter);
        notNegative("backConfirm", backConfirm);
        if (bitrateFloor < 0) {
            throw new ConfigException("bitrateFloor: must be 0 (off) or a bit rate, not " + bitrateFloor);
        }
        notNegative("bitrateLowFor", bitrateLowFor);
        positive("bitrateWindow", bitrateWindow);
        if (limits == null) {
            throw new ConfigException("limits: missing");
        }
    }

    private static void notNegative(String key, Duration d) {
        if (d == null) {
            throw new ConfigException(key + ": missing");
        }
        if (d.isNegative()) {
            throw new ConfigException(key + ": must be a duration of 0 or more, not " + Units.formatDuration(d));
        }
    }

    private static void positive(String key, Duration d) {
        notNegative(key, d);
        if (d.isZero()) {
            throw new ConfigException(key + ": must be more than 0");
        }
    }

    public HealthSettings withQuietTime(Duration d) {
        return new HealthSettings(d, lostAfter, backConfirm, bitrateFloor, bitrateLowFor, bitrateWindow, limits);
    }

    public HealthSettings withLostAfter(Duration d) {
        return new HealthSettings(quietTime, d, backConfirm, bitrateFloor, bitrateLowFor, bitrateWindow, limits);
    }

    public HealthSettings withBackConfirm(Duration d) {
        return new HealthSettings(quietTime, lostAfter, d, bitrateFloor, bitrateLowFor, bitrateWindow, limits);
    }

    /** The floor in bits per second (0 = off) and how long the rate must stay below it. */
    public HealthSettings withBitrateFloor(long bitsPerSecond, Duration lowFor) {
        return new HealthSettings(quietTime, lostAfter, backConfirm, bitsPerSecond, lowFor, bitrateWindow, limits);
    }

    public HealthSettings withBitrateWindow(Duration d) {
        return new HealthSettings(quietTime, lostAfter, backConfirm, bitrateFloor, bitrateLowFor, d, limits);
    }
}
