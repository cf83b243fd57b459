package io.streamtee.ts;

import java.util.List;

/** A Program Association Table: program numbers and the PIDs of their PMTs. */
public record Pat(int transportStreamId, int version, List<Program> programs) {
    /** One entry; program number 0 is the network PID, not a PMT. */
    public record Program(int programNumber, int pid) {
    }

    public Pat {
        programs = List.copyOf(programs);
    }
}
