package io.streamtee.bridge.srt;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One connection's statistics, as {@code srt_bstats(sock, &stats, 0)} reports them: totals since the connection began
 * and the instant estimates. {@link #LAYOUT} is libsrt 1.5's {@code struct CBytePerfMon} ({@code SRT_TRACEBSTATS}),
 * field for field with C's natural alignment; {@code LibsrtHeaderTest} compares its offsets with a C compiler's.
 *
 * @param packetsSent data packets sent, retransmissions included ({@code pktSentTotal})
 * @param packetsReceived data packets received ({@code pktRecvTotal})
 * @param packetsSentUnique data packets the application sent ({@code pktSentUniqueTotal})
 * @param packetsReceivedUnique data packets delivered to the application ({@code pktRecvUniqueTotal})
 * @param sendLoss packets the receiver reported lost, sender side ({@code pktSndLossTotal})
 * @param receiveLoss packets found missing, receiver side ({@code pktRcvLossTotal})
 * @param retransmitted packets sent again ({@code pktRetransTotal})
 * @param retransmissionsReceived retransmitted packets received ({@code pktRcvRetrans}: never cleared, as this
 *        binding calls {@code srt_bstats} with {@code clear} 0, so a total)
 * @param sendDropped packets the sender dropped too late to send ({@code pktSndDropTotal})
 * @param receiveDropped packets the receiver gave up on, too late to play ({@code pktRcvDropTotal})
 * @param undecryptable packets that did not decrypt ({@code pktRcvUndecryptTotal})
 * @param bytesSent bytes sent, retransmissions included ({@code byteSentTotal})
 * @param bytesReceived bytes received ({@code byteRecvTotal})
 * @param rttMillis round-trip time ({@code msRTT})
 * @param bandwidthMbps the link's estimated bandwidth ({@code mbpsBandwidth})
 * @param sendRateMbps the sending rate ({@code mbpsSendRate}, over the last interval)
 * @param receiveRateMbps the receiving rate ({@code mbpsRecvRate}, over the last interval)
 * @param sendLatencyMillis the latency the receiver plays out with, seen by the sender ({@code msSndTsbPdDelay})
 * @param receiveLatencyMillis the latency this receiver plays out with ({@code msRcvTsbPdDelay})
 */
public record SrtStats(long packetsSent, long packetsReceived, long packetsSentUnique, long packetsReceivedUnique,
        long sendLoss, long receiveLoss, long retransmitted, long retransmissionsReceived, long sendDropped, long receiveDropped, long undecryptable,
        long bytesSent, long bytesReceived, double rttMillis, double bandwidthMbps, double sendRateMbps,
        double receiveRateMbps, double sendLatencyMillis, double receiveLatencyMillis) {

    /** No connection yet. */
    static final SrtStats ZERO = new SrtStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    private static final ValueLayout I64 = JAVA_LONG;
    private static final ValueLayout I32 = JAVA_INT;
    private static final ValueLayout F64 = JAVA_DOUBLE;

    /** {@code struct CBytePerfMon} of libsrt 1.5's srt.h, in its order. */
    static final StructLayout LAYOUT = struct(
            I64.withName("msTimeStamp"), I64.withName("pktSentTotal"), I64.withName("pktRecvTotal"),
            I32.withName("pktSndLossTotal"), I32.withName("pktRcvLossTotal"), I32.withName("pktRetransTotal"),
            I32.withName("pktSentACKTotal"), I32.withName("pktRecvACKTotal"), I32.withName("pktSentNAKTotal"),
            I32.withName("pktRecvNAKTotal"), I64.withName("usSndDurationTotal"),
            I32.withName("pktSndDropTotal"), I32.withName("pktRcvDropTotal"), I32.withName("pktRcvUndecryptTotal"),
            I64.withName("byteSentTotal"), I64.withName("byteRecvTotal"), I64.withName("byteRcvLossTotal"),
            I64.withName("byteRetransTotal"), I64.withName("byteSndDropTotal"), I64.withName("byteRcvDropTotal"),
            I64.withName("byteRcvUndecryptTotal"),
            I64.withName("pktSent"), I64.withName("pktRecv"), I32.withName("pktSndLoss"), I32.withName("pktRcvLoss"),
            I32.withName("pktRetrans"), I32.withName("pktRcvRetrans"), I32.withName("pktSentACK"),
            I32.withName("pktRecvACK"), I32.withName("pktSentNAK"), I32.withName("pktRecvNAK"),
            F64.withName("mbpsSendRate"), F64.withName("mbpsRecvRate"), I64.withName("usSndDuration"),
            I32.withName("pktReorderDistance"), F64.withName("pktRcvAvgBelatedTime"), I64.withName("pktRcvBelated"),
            I32.withName("pktSndDrop"), I32.withName("pktRcvDrop"), I32.withName("pktRcvUndecrypt"),
            I64.withName("byteSent"), I64.withName("byteRecv"), I64.withName("byteRcvLoss"),
            I64.withName("byteRetrans"), I64.withName("byteSndDrop"), I64.withName("byteRcvDrop"),
            I64.withName("byteRcvUndecrypt"),
            F64.withName("usPktSndPeriod"), I32.withName("pktFlowWindow"), I32.withName("pktCongestionWindow"),
            I32.withName("pktFlightSize"), F64.withName("msRTT"), F64.withName("mbpsBandwidth"),
            I32.withName("byteAvailSndBuf"), I32.withName("byteAvailRcvBuf"),
            F64.withName("mbpsMaxBW"), I32.withName("byteMSS"),
            I32.withName("pktSndBuf"), I32.withName("byteSndBuf"), I32.withName("msSndBuf"),
            I32.withName("msSndTsbPdDelay"),
            I32.withName("pktRcvBuf"), I32.withName("byteRcvBuf"), I32.withName("msRcvBuf"),
            I32.withName("msRcvTsbPdDelay"),
            I32.withName("pktSndFilterExtraTotal"), I32.withName("pktRcvFilterExtraTotal"),
            I32.withName("pktRcvFilterSupplyTotal"), I32.withName("pktRcvFilterLossTotal"),
            I32.withName("pktSndFilterExtra"), I32.withName("pktRcvFilterExtra"),
            I32.withName("pktRcvFilterSupply"), I32.withName("pktRcvFilterLoss"), I32.withName("pktReorderTolerance"),
            I64.withName("pktSentUniqueTotal"), I64.withName("pktRecvUniqueTotal"),
            I64.withName("byteSentUniqueTotal"), I64.withName("byteRecvUniqueTotal"),
            I64.withName("pktSentUnique"), I64.withName("pktRecvUnique"), I64.withName("byteSentUnique"),
            I64.withName("byteRecvUnique"));

    /** Lays {@code fields} out as C does on x86-64 and aarch64: each at its alignment, the whole padded to the largest. */
    static StructLayout struct(MemoryLayout... fields) {
        List<MemoryLayout> laid = new ArrayList<>();
        long at = 0;
        long maxAlign = 1;
        int pad = 0;
        for (MemoryLayout f : fields) {
            long align = f.byteAlignment();
            maxAlign = Math.max(maxAlign, align);
            if (at % align != 0) {
                long gap = align - at % align;
                laid.add(MemoryLayout.paddingLayout(gap).withName("pad" + pad++));
                at += gap;
            }
            laid.add(f);
            at += f.byteSize();
        }
        if (at % maxAlign != 0) {
            laid.add(MemoryLayout.paddingLayout(maxAlign - at % maxAlign).withName("pad" + pad));
        }
        return MemoryLayout.structLayout(laid.toArray(MemoryLayout[]::new));
    }

    /** The offset of each named field of {@link #LAYOUT}, and {@code sizeof} under the key {@code "sizeof"}. */
    public static Map<String, Long> offsets() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (MemoryLayout f : LAYOUT.memberLayouts()) {
            String name = f.name().orElseThrow();
            if (!name.startsWith("pad")) {
                m.put(name, LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(name)));
            }
        }
        m.put("sizeof", LAYOUT.byteSize());
        return m;
    }

    /** Reads the fields this record keeps from a filled {@code SRT_TRACEBSTATS}. */
    static SrtStats read(MemorySegment s) {
        return new SrtStats(l(s, "pktSentTotal"), l(s, "pktRecvTotal"), l(s, "pktSentUniqueTotal"),
                l(s, "pktRecvUniqueTotal"), i(s, "pktSndLossTotal"), i(s, "pktRcvLossTotal"),
                i(s, "pktRetransTotal"), i(s, "pktRcvRetrans"), i(s, "pktSndDropTotal"), i(s, "pktRcvDropTotal"),
                i(s, "pktRcvUndecryptTotal"), l(s, "byteSentTotal"), l(s, "byteRecvTotal"), d(s, "msRTT"),
                d(s, "mbpsBandwidth"), d(s, "mbpsSendRate"), d(s, "mbpsRecvRate"), i(s, "msSndTsbPdDelay"),
                i(s, "msRcvTsbPdDelay"));
    }

    private static long offset(String name) {
        return LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(name));
    }

    private static long l(MemorySegment s, String name) {
        return s.get(JAVA_LONG, offset(name));
    }

    private static long i(MemorySegment s, String name) {
        return s.get(JAVA_INT, offset(name));
    }

    private static double d(MemorySegment s, String name) {
        return s.get(JAVA_DOUBLE, offset(name));
    }

    /** These totals plus {@code later}'s; the gauges are {@code later}'s. */
    SrtStats plus(SrtStats later) {
        return new SrtStats(packetsSent + later.packetsSent, packetsReceived + later.packetsReceived,
                packetsSentUnique + later.packetsSentUnique, packetsReceivedUnique + later.packetsReceivedUnique,
                sendLoss + later.sendLoss, receiveLoss + later.receiveLoss, retransmitted + later.retransmitted,
                retransmissionsReceived + later.retransmissionsReceived,
                sendDropped + later.sendDropped, receiveDropped + later.receiveDropped,
                undecryptable + later.undecryptable, bytesSent + later.bytesSent, bytesReceived + later.bytesReceived,
                later.rttMillis, later.bandwidthMbps, later.sendRateMbps, later.receiveRateMbps,
                later.sendLatencyMillis, later.receiveLatencyMillis);
    }

    /** The counters for the API and the metrics, under {@code srt.} keys, in a fixed order. */
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("srt.packetsSent", packetsSent);
        m.put("srt.packetsReceived", packetsReceived);
        m.put("srt.packetsSentUnique", packetsSentUnique);
        m.put("srt.packetsReceivedUnique", packetsReceivedUnique);
        m.put("srt.sendLoss", sendLoss);
        m.put("srt.receiveLoss", receiveLoss);
        m.put("srt.retransmitted", retransmitted);
        m.put("srt.retransmissionsReceived", retransmissionsReceived);
        m.put("srt.sendDropped", sendDropped);
        m.put("srt.receiveDropped", receiveDropped);
        m.put("srt.undecryptable", undecryptable);
        m.put("srt.bytesSent", bytesSent);
        m.put("srt.bytesReceived", bytesReceived);
        return m;
    }

    /** The gauges: RTT and latency in ms, bandwidth and rates in Mbit/s. */
    public Map<String, Double> gauges() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("srt.rttMillis", rttMillis);
        m.put("srt.bandwidthMbps", bandwidthMbps);
        m.put("srt.sendRateMbps", sendRateMbps);
        m.put("srt.receiveRateMbps", receiveRateMbps);
        m.put("srt.sendLatencyMillis", sendLatencyMillis);
        m.put("srt.receiveLatencyMillis", receiveLatencyMillis);
        return m;
    }
}
