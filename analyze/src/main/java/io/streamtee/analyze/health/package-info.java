/**
 * Stream health: TR 101 290 errors, silence, bitrate and format changes of one live transport stream, turned into
 * events that start and end with hysteresis ({@link io.streamtee.analyze.health.HealthMonitor}). Logic only: bytes
 * and times are passed in, nothing reads a clock or opens a socket.
 */
package io.streamtee.analyze.health;
