/**
 * SRT through libsrt itself: Debian's shared {@code libsrt1.5} called with the FFM API ({@link
 * io.streamtee.bridge.srt.Libsrt}: downcalls and srt.h's constants; {@link io.streamtee.bridge.srt.SrtStats}: the
 * statistics struct; {@code SrtSocket}: one socket whose every call is bounded in time), and the route input and
 * output built on it ({@link io.streamtee.bridge.srt.SrtInput}, {@link io.streamtee.bridge.srt.SrtOutput}). Compiled
 * at release 22 (the FFM API is final there); the rest of streamtee stays at 21, and the factories in
 * {@code io.streamtee.bridge} check the runtime before they load anything here.
 */
package io.streamtee.bridge.srt;
