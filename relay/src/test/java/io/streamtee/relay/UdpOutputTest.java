package io.streamtee.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import org.junit.jupiter.api.Test;

class UdpOutputTest {
    @org.junit.jupiter.api.BeforeAll
    static void loadNativeErrnoTable() {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.netty.channel.epoll.Epoll.isAvailable(), "epoll only");
    }

    @Test
    void sendErrorsAreSortedByReason() {
        assertThat(UdpOutput.classify(new PortUnreachableException())).isEqualTo(DropReason.REFUSED);
        assertThat(UdpOutput.classify(new NoRouteToHostException())).isEqualTo(DropReason.UNREACHABLE);
        assertThat(UdpOutput.classify(Errors.newIOException("sendmmsg", -111))).isEqualTo(DropReason.REFUSED);
        assertThat(UdpOutput.classify(Errors.newIOException("sendmmsg", -101))).isEqualTo(DropReason.UNREACHABLE);
        assertThat(UdpOutput.classify(Errors.newIOException("sendmmsg", -113))).isEqualTo(DropReason.UNREACHABLE);
        assertThat(UdpOutput.classify(Errors.newIOException("sendmmsg", -105))).isEqualTo(DropReason.BUFFER_FULL);
        assertThat(UdpOutput.classify(Errors.newIOException("sendmmsg", -11))).isEqualTo(DropReason.BUFFER_FULL);
        assertThat(UdpOutput.classify(Errors.newIOException("sendmmsg", -90))).isEqualTo(DropReason.TOO_BIG);
        assertThat(UdpOutput.classify(Errors.newIOException("sendmmsg", -1))).isEqualTo(DropReason.OTHER);
        assertThat(UdpOutput.classify(new IOException("Network is unreachable"))).isEqualTo(DropReason.UNREACHABLE);
        assertThat(UdpOutput.classify(new IOException("Message too long"))).isEqualTo(DropReason.TOO_BIG);
    }
}
