/**
 * MPEG-TS wire format, with no dependencies: packets, PSI (PAT/PMT), PES, PCR, H.264/H.265 access units and the
 * ETSI TR 101 290 priority 1 and 2 checks.
 *
 * <p>Entry points:
 * <ul>
 *   <li>{@link io.streamtee.ts.TsDemux}: feed bytes in any chunking, get callbacks on a {@link io.streamtee.ts.TsListener},
 *       read {@link io.streamtee.ts.Tr101290.Snapshot error counts} and {@link io.streamtee.ts.StreamInfo stream info}.</li>
 *   <li>{@link io.streamtee.ts.TsReader}: only the framing (sync, resync, 188-byte packets from arbitrary chunks).</li>
 *   <li>{@link io.streamtee.ts.TsPacket}: static accessors and a few setters over one packet in a {@code byte[]}.</li>
 *   <li>{@link io.streamtee.ts.CaptureTime}: the capture wall clock a camera puts in each H.264 access unit (an SEI
 *       user_data_unregistered message with our UUID), written and found, for glass-to-glass latency.</li>
 *   <li>{@link io.streamtee.ts.TsWriter}: builds packets from sections and PES payloads (tests, simulators, PSI re-emission).</li>
 * </ul>
 *
 * <p>Nothing here throws on bad input: garbage, truncated packets and wrong CRCs are counted.
 * The classes are not thread-safe; use one instance per stream from one thread.
 */
package io.streamtee.ts;
