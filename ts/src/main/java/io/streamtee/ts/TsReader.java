package io.streamtee.ts;

/**
 * Cuts a byte stream fed in arbitrary chunks into 188-byte packets. Chunk boundaries need not be packet boundaries.
 *
 * <p>The reader locks on when it sees {@value #LOCK_PACKETS} sync bytes (0x47) at 188-byte spacing; bytes skipped
 * while searching are counted as garbage. While locked, a packet whose first byte is not 0x47 counts a sync byte
 * error, is dropped, and the reader searches again from the next byte. If it locks again exactly one packet later
 * (a single corrupted sync byte), that was all; otherwise (two or more bad sync bytes in a row, a truncated or
 * inserted packet) it also counts one sync loss.
 *
 * <p>Whole packets that sit inside a fed chunk are handed over in place, without copying; only a packet split across
 * chunks is assembled in an internal buffer. The {@link Handler} must not keep a reference to the array it is given.
 */
public final class TsReader {
    /** Consecutive sync bytes at 188-byte spacing needed to lock. */
    public static final int LOCK_PACKETS = 3;

    private static final int SIZE = TsPacket.SIZE;
    private static final byte SYNC = TsPacket.SYNC_BYTE;
    /** Bytes needed after a candidate position to confirm it. */
    private static final int CONFIRM = (LOCK_PACKETS - 1) * SIZE + 1;

    /** Receives packets and framing events. */
    public interface Handler {
        /** One complete packet at {@code buf[off]}; {@code position} is its offset in the whole fed stream. */
        void onPacket(byte[] buf, int off, long position);

        /** A packet slot at {@code position} did not start with 0x47 while locked. */
        default void onSyncByteError(long position) {
        }

        /** Sync was lost (counted when the reader knows it: on relocking elsewhere, or after one more packet). */
        default void onSyncLoss(long position) {
        }
    }

    private final Handler handler;
    private final byte[] carry = new byte[8 * SIZE];
    private int carryLen;
    private long carryPos;
    private long position;
    private boolean locked;
    private boolean lossPending;
    private long lostAt;
    private long packets;
    private long garbageBytes;
    private long syncByteErrors;
    private long syncLosses;

    public TsReader(Handler handler) {
        this.handler = handler;
    }

    /** Feeds the next chunk of the stream. Never throws on bad content. */
    public void feed(byte[] buf, int off, int len) {
        long pos = position;
        position += len;
        int end = off + len;
        while (off < end) {
            if (locked && carryLen == 0) {
                while (end - off >= SIZE) {
                    if (buf[off] != SYNC) {
                        loseLock(pos);
                        break;
                    }
                    packets++;
                    handler.onPacket(buf, off, pos);
                    off += SIZE;
                    pos += SIZE;
                }
                if (locked) {
                    System.arraycopy(buf, off, carry, 0, end - off);
                    carryLen = end - off;
                    carryPos = pos;
                    return;
                }
                garbageBytes++;
                off++;
                pos++;
            } else {
                if (carryLen == 0) {
                    carryPos = pos;
                }
                int room = locked ? SIZE - carryLen : carry.length - carryLen;
                int n = Math.min(room, end - off);
                System.arraycopy(buf, off, carry, carryLen, n);
                carryLen += n;
                off += n;
                pos += n;
                if (locked) {
                    if (carryLen == SIZE) {
                        if (carry[0] == SYNC) {
                            packets++;
                            handler.onPacket(carry, 0, carryPos);
                            carryLen = 0;
                        } else {
                            loseLock(carryPos);
                            drop(1);
                            search();
                        }
                    }
                } else {
                    search();
                }
            }
        }
    }

    private void loseLock(long at) {
        syncByteErrors++;
        handler.onSyncByteError(at);
        locked = false;
        lossPending = true;
        lostAt = at;
    }

    /** Looks for a lock point in the carry buffer; on success emits the whole packets it holds. */
    private void search() {
        int limit = carryLen - CONFIRM;
        int q = 0;
        for (; q <= limit; q++) {
            if (carry[q] == SYNC && carry[q + SIZE] == SYNC && carry[q + 2 * SIZE] == SYNC) {
                break;
            }
        }
        if (q > limit) {
            int skip = Math.max(0, limit + 1);
            drop(skip);
            if (lossPending && carryPos > lostAt + SIZE) {
                countLoss();
            }
            return;
        }
        lockAt(q);
    }

    /** Locks at carry index {@code q} and emits the whole packets the carry holds. */
    private void lockAt(int q) {
        drop(q);
        if (lossPending && carryPos != lostAt + SIZE) {
            countLoss();
        }
        lossPending = false;
        locked = true;
        int i = 0;
        while (carryLen - i >= SIZE) {
            if (carry[i] != SYNC) {
                shift(i);
                loseLock(carryPos);
                drop(1);
                search();
                return;
            }
            packets++;
            handler.onPacket(carry, i, carryPos + i);
            i += SIZE;
        }
        shift(i);
    }

    /**
     * End of input: hands over the packets still held back, locking on fewer than {@value #LOCK_PACKETS} sync
     * bytes if the input was that short, and counts a trailing partial packet as garbage. Feeding may continue
     * afterwards as if a new stream started.
     */
    public void flush() {
        if (!locked) {
            for (int q = 0; q + SIZE <= carryLen; q++) {
                boolean ok = true;
                for (int k = q; k < carryLen; k += SIZE) {
                    ok &= carry[k] == SYNC;
                }
                if (ok) {
                    lockAt(q);
                    break;
                }
            }
        }
        if (lossPending) {
            countLoss();
        }
        drop(carryLen);
        locked = false;
    }

    private void countLoss() {
        lossPending = false;
        syncLosses++;
        handler.onSyncLoss(lostAt);
    }

    /** Discards {@code n} leading carry bytes as garbage. */
    private void drop(int n) {
        garbageBytes += n;
        shift(n);
    }

    private void shift(int n) {
        if (n > 0) {
            System.arraycopy(carry, n, carry, 0, carryLen - n);
            carryLen -= n;
            carryPos += n;
        }
    }

    /** Total bytes fed so far; the position the next fed byte will have. */
    public long position() {
        return position;
    }

    public boolean locked() {
        return locked;
    }

    /** Bytes fed but not yet handed over (a partial packet, or bytes waiting to confirm a lock). */
    public int pendingBytes() {
        return carryLen;
    }

    public long packets() {
        return packets;
    }

    /** Bytes skipped while out of sync, including dropped packets with a bad sync byte. */
    public long garbageBytes() {
        return garbageBytes;
    }

    public long syncByteErrors() {
        return syncByteErrors;
    }

    public long syncLosses() {
        return syncLosses;
    }
}
