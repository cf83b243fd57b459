/**
 * The analyzer: it watches one camera's live stream and raises events (motion in the picture, the stream's health)
 * for sinks to deliver. Being built (issue 10): the motion detector and the health monitor are logic with no sockets;
 * {@link io.streamtee.analyze.Analyzer} wires them to the network and the sinks, and
 * {@link io.streamtee.analyze.AnalyzeCommand} runs it as {@code streamtee analyze}, from flags and the config file
 * {@link io.streamtee.analyze.AnalyzeFile} reads. Motion events carry JPEG snapshots
 * ({@link io.streamtee.analyze.Snapshotter}), kept with the recent events in an
 * {@link io.streamtee.analyze.event.EventStore} that {@link io.streamtee.analyze.http.AnalyzerServer} serves.
 */
package io.streamtee.analyze;
