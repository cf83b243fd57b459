package io.streamtee.ts;

/** H.265 (HEVC) NAL unit types and SPS parsing (picture size only). */
public final class H265 {
    public static final int NAL_BLA_W_LP = 16;
    public static final int NAL_IDR_W_RADL = 19;
    public static final int NAL_IDR_N_LP = 20;
    public static final int NAL_CRA = 21;
    public static final int NAL_VPS = 32;
    public static final int NAL_SPS = 33;
    public static final int NAL_PPS = 34;
    public static final int NAL_AUD = 35;

    private H265() {
    }

    /** NAL unit type from the first byte of the two-byte NAL unit header. */
    public static int nalType(int firstHeaderByte) {
        return (firstHeaderByte >> 1) & 0x3F;
    }

    /** Types 0..31 carry picture data. */
    public static boolean isVcl(int nalType) {
        return nalType >= 0 && nalType < 32;
    }

    /** An IRAP picture (BLA, IDR, CRA: types 16..23): decoding can start here. */
    public static boolean isKeyframe(int nalType) {
        return nalType >= NAL_BLA_W_LP && nalType <= 23;
    }

    /**
     * Parses an SPS given as RBSP, starting at its two-byte NAL header. Returns the size after the conformance
     * window, with fps 0 (the VUI sits behind the reference picture sets and is not parsed; the demux derives
     * the frame rate from the DTS instead). Returns null when the SPS is malformed.
     */
    public static Nal.VideoSize parseSps(byte[] rbsp, int off, int len) {
        return parseSps(new BitReader().reset(rbsp, off, len));
    }

    static Nal.VideoSize parseSps(BitReader r) {
        r.skip(16); // NAL header
        r.skip(4); // sps_video_parameter_set_id
        int maxSubLayersMinus1 = r.u(3);
        r.skip(1); // sps_temporal_id_nesting_flag
        // profile_tier_level(1, maxSubLayersMinus1)
        r.skip(88); // general profile space, tier, idc, compatibility flags, constraint flags
        r.skip(8); // general_level_idc
        boolean[] profilePresent = new boolean[8];
        boolean[] levelPresent = new boolean[8];
        for (int i = 0; i < maxSubLayersMinus1; i++) {
            profilePresent[i] = r.flag();
            levelPresent[i] = r.flag();
        }
        if (maxSubLayersMinus1 > 0) {
            r.skip(2 * (8 - maxSubLayersMinus1));
        }
        for (int i = 0; i < maxSubLayersMinus1; i++) {
            if (profilePresent[i]) {
                r.skip(88);
            }
            if (levelPresent[i]) {
                r.skip(8);
            }
        }
        r.ue(); // sps_seq_parameter_set_id
        int chromaFormat = r.ue();
        if (chromaFormat == 3) {
            r.skip(1); // separate_colour_plane_flag
        }
        long width = r.ue();
        long height = r.ue();
        if (r.flag()) { // conformance_window_flag
            int subWidth = chromaFormat == 1 || chromaFormat == 2 ? 2 : 1;
            int subHeight = chromaFormat == 1 ? 2 : 1;
            width -= (long) subWidth * ((long) r.ue() + r.ue());
            height -= (long) subHeight * ((long) r.ue() + r.ue());
        }
        if (r.overrun() || width <= 0 || height <= 0 || width > 65536 || height > 65536) {
            return null;
        }
        return new Nal.VideoSize((int) width, (int) height, 0);
    }
}
