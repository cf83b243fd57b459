package io.streamtee.ts;

/**
 * Reassembles PSI sections on one PID from packet payloads: the pointer field, sections spanning packets, several
 * sections in one packet, and 0xFF stuffing. Complete sections go to the {@link Sink}; CRC checking is the sink's job.
 */
final class SectionAssembler {
    /** Largest section: 3 header bytes plus a 12-bit section_length (private sections go up to 4093). */
    private static final int MAX_SECTION = 3 + 4093;

    interface Sink {
        void onSection(int pid, byte[] section, int len, long position);
    }

    private final int pid;
    private final Sink sink;
    private final byte[] buf = new byte[MAX_SECTION];
    private int len;
    private int need;
    private boolean collecting;
    private long malformed;

    SectionAssembler(int pid, Sink sink) {
        this.pid = pid;
        this.sink = sink;
    }

    /** Drops a partly assembled section (after a continuity error). */
    void reset() {
        collecting = false;
        len = 0;
        need = 0;
    }

    long malformed() {
        return malformed;
    }

    void payload(byte[] b, int from, int to, boolean unitStart, long position) {
        if (unitStart) {
            int pointer = b[from] & 0xFF;
            from++;
            if (from + pointer > to) {
                malformed++;
                reset();
                return;
            }
            int sectionsStart = from + pointer;
            if (collecting) {
                append(b, from, sectionsStart, position);
                if (collecting) {
                    reset(); // the previous section did not end where the pointer says: data was lost
                }
            }
            from = sectionsStart;
            while (from < to && (b[from] & 0xFF) != 0xFF) {
                collecting = true;
                len = 0;
                need = 0;
                from = append(b, from, to, position);
                if (collecting) {
                    return; // continues in the next packet
                }
            }
        } else if (collecting) {
            append(b, from, to, position);
        }
    }

    /** Appends to the current section; returns the index after the bytes it used. Emits when complete. */
    private int append(byte[] b, int from, int to, long position) {
        if (need == 0) {
            int n = Math.min(3 - len, to - from);
            System.arraycopy(b, from, buf, len, n);
            len += n;
            from += n;
            if (len < 3) {
                return from;
            }
            need = 3 + (((buf[1] & 0x0F) << 8) | (buf[2] & 0xFF));
            if (need > MAX_SECTION) {
                malformed++;
                reset();
                return to;
            }
        }
        int n = Math.min(need - len, to - from);
        System.arraycopy(b, from, buf, len, n);
        len += n;
        from += n;
        if (len == need) {
            int sectionLen = len;
            reset();
            sink.onSection(pid, buf, sectionLen, position);
        }
        return from;
    }
}
