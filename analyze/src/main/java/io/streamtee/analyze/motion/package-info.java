/**
 * Motion detection for the analyzer, as logic with no sockets and no FFmpeg: {@link
 * io.streamtee.analyze.motion.MotionDetector} turns small grey frames ({@link io.streamtee.analyze.motion.GreyFrame},
 * made by the media module's decoder) into boxes behind the {@link io.streamtee.analyze.motion.Detector} seam;
 * {@link io.streamtee.analyze.motion.Polygon}s mask parts of the picture out or name zones
 * ({@link io.streamtee.analyze.motion.Zones}); {@link io.streamtee.analyze.motion.MotionTracker} turns the per-frame
 * detections into events (start, update, end) for the sinks.
 */
package io.streamtee.analyze.motion;
