package io.streamtee.ts;

/** H.264 (AVC) NAL unit types and SPS parsing. */
public final class H264 {
    public static final int NAL_SLICE = 1;
    public static final int NAL_IDR = 5;
    public static final int NAL_SEI = 6;
    public static final int NAL_SPS = 7;
    public static final int NAL_PPS = 8;
    public static final int NAL_AUD = 9;

    private H264() {
    }

    /** NAL unit type from the first byte of the NAL unit (its header). */
    public static int nalType(int headerByte) {
        return headerByte & 0x1F;
    }

    /** Slice NAL units (types 1..5) carry picture data; the first one of an access unit says what picture it is. */
    public static boolean isVcl(int nalType) {
        return nalType >= 1 && nalType <= 5;
    }

    /** An IDR picture: decoding can start here. */
    public static boolean isKeyframe(int nalType) {
        return nalType == NAL_IDR;
    }

    /**
     * Parses an SPS given as RBSP (emulation prevention removed), starting at its NAL header byte.
     * Returns null when it is malformed. Width and height apply the frame cropping; fps comes from the VUI timing
     * info ({@code time_scale / (2 * num_units_in_tick)}) when present, else 0.
     */
    public static Nal.VideoSize parseSps(byte[] rbsp, int off, int len) {
        return parseSps(new BitReader().reset(rbsp, off, len));
    }

    static Nal.VideoSize parseSps(BitReader r) {
        r.skip(8); // NAL header
        int profile = r.u(8);
        r.skip(16); // constraint flags, level_idc
        r.ue(); // seq_parameter_set_id
        int chromaFormat = 1;
        boolean separateColourPlanes = false;
        if (profile == 100 || profile == 110 || profile == 122 || profile == 244 || profile == 44 || profile == 83
                || profile == 86 || profile == 118 || profile == 128 || profile == 138 || profile == 139
                || profile == 134 || profile == 135) {
            chromaFormat = r.ue();
            if (chromaFormat == 3) {
                separateColourPlanes = r.flag();
            }
            r.ue(); // bit_depth_luma_minus8
            r.ue(); // bit_depth_chroma_minus8
            r.skip(1); // qpprime_y_zero_transform_bypass_flag
            if (r.flag()) { // seq_scaling_matrix_present_flag
                int lists = chromaFormat != 3 ? 8 : 12;
                for (int i = 0; i < lists && !r.overrun(); i++) {
                    if (r.flag()) {
                        skipScalingList(r, i < 6 ? 16 : 64);
                    }
                }
            }
        }
        r.ue(); // log2_max_frame_num_minus4
        int pocType = r.ue();
        if (pocType == 0) {
            r.ue(); // log2_max_pic_order_cnt_lsb_minus4
        } else if (pocType == 1) {
            r.skip(1); // delta_pic_order_always_zero_flag
            r.se();
            r.se();
            int cycle = r.ue();
            if (cycle > 255) {
                return null;
            }
            for (int i = 0; i < cycle && !r.overrun(); i++) {
                r.se();
            }
        }
        r.ue(); // max_num_ref_frames
        r.skip(1); // gaps_in_frame_num_value_allowed_flag
        int widthMbs = r.ue() + 1;
        int heightMapUnits = r.ue() + 1;
        boolean frameMbsOnly = r.flag();
        if (!frameMbsOnly) {
            r.skip(1); // mb_adaptive_frame_field_flag
        }
        r.skip(1); // direct_8x8_inference_flag
        int cropLeft = 0;
        int cropRight = 0;
        int cropTop = 0;
        int cropBottom = 0;
        if (r.flag()) {
            cropLeft = r.ue();
            cropRight = r.ue();
            cropTop = r.ue();
            cropBottom = r.ue();
        }
        double fps = 0;
        if (r.flag()) { // vui_parameters_present_flag
            fps = vuiFps(r);
        }
        if (r.overrun()) {
            return null;
        }
        int chroma = separateColourPlanes ? 0 : chromaFormat;
        int subWidth = chroma == 1 || chroma == 2 ? 2 : 1;
        int subHeight = chroma == 1 ? 2 : 1;
        int cropUnitX = chroma == 0 ? 1 : subWidth;
        int cropUnitY = (chroma == 0 ? 1 : subHeight) * (frameMbsOnly ? 1 : 2);
        long width = widthMbs * 16L - (long) cropUnitX * (cropLeft + cropRight);
        long height = (frameMbsOnly ? 1 : 2) * heightMapUnits * 16L - (long) cropUnitY * (cropTop + cropBottom);
        if (width <= 0 || height <= 0 || width > 65536 || height > 65536) {
            return null;
        }
        return new Nal.VideoSize((int) width, (int) height, fps);
    }

    private static void skipScalingList(BitReader r, int size) {
        int last = 8;
        int next = 8;
        for (int j = 0; j < size && !r.overrun(); j++) {
            if (next != 0) {
                next = (last + r.se() + 256) % 256;
            }
            last = next == 0 ? last : next;
        }
    }

    private static double vuiFps(BitReader r) {
        if (r.flag()) { // aspect_ratio_info_present_flag
            if (r.u(8) == 255) { // Extended_SAR
                r.skip(32);
            }
        }
        if (r.flag()) { // overscan_info_present_flag
            r.skip(1);
        }
        if (r.flag()) { // video_signal_type_present_flag
            r.skip(4);
            if (r.flag()) { // colour_description_present_flag
                r.skip(24);
            }
        }
        if (r.flag()) { // chroma_loc_info_present_flag
            r.ue();
            r.ue();
        }
        if (r.flag()) { // timing_info_present_flag
            long unitsInTick = r.bits(32);
            long timeScale = r.bits(32);
            if (unitsInTick > 0 && timeScale > 0) {
                return timeScale / (2.0 * unitsInTick);
            }
        }
        return 0;
    }
}
