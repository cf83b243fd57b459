package io.streamtee.camera;

import java.time.Instant;

/**
 * A lighting change of a pattern camera (a brightness step, night mode on or off), as painted: the truth an analyzer
 * must not mistake for motion.
 *
 * @param frame the first frame with the new lighting
 * @param pts its PTS (90 kHz, unwrapped)
 * @param at the wall clock burned into it
 * @param from the lighting until then
 * @param to the lighting from then on
 */
public record LightChange(long frame, long pts, Instant at, Lighting from, Lighting to) {
}
