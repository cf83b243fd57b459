package io.streamtee.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The analyzer's config file as written, before {@link AnalyzeFile} checks it: values stay text (or YAML nodes where
 * a key takes several forms) so that each error can name its key. Every key is described in
 * {@code analyze.example.yml}.
 *
 * @param analyze the one top-level section
 */
record AnalyzeYaml(Section analyze) {

    /** {@code analyze:}. */
    record Section(String listen, String camera, String events, String http, String playback, Motion motion,
            Health health, List<JsonNode> masks, JsonNode zones, List<JsonNode> sinks) {
    }

    /** {@code analyze.motion}: the {@link io.streamtee.analyze.motion.MotionSettings} and the tracker's keys. */
    record Motion(Integer frameHeight, Integer threshold, Integer minArea, Double lightningThreshold,
            Double contrastChange, Integer minContrast, Double calibrationAlpha, Double alpha, Double motionAlpha,
            Integer calibrationFrames, Integer maxBoxes, Integer startFrames, String endGap, String updateEvery) {
    }

    /** {@code analyze.health}: the {@link io.streamtee.analyze.health.HealthSettings}. */
    record Health(String quietTime, String lostAfter, String backConfirm, String bitrateFloor, String bitrateLowFor,
            String bitrateWindow, Limits limits) {
    }

    /** {@code analyze.health.limits}: the TR 101 290 timeouts. */
    record Limits(String pat, String pmt, String pid, String pcrRepetition, String pcrDiscontinuity, String pts) {
    }
}
