package io.streamtee.relay;

import io.netty.util.internal.PlatformDependent;
import io.streamtee.relay.config.RelaySettings;

/** Run in a fresh JVM by {@link FirstDatagramTest}: picks the relay's transport, then says whether Netty uses JFR. */
public final class NettyJfrProbe {
    private NettyJfrProbe() {
    }

    public static void main(String[] args) {
        NettyTransport.of(RelaySettings.Transport.AUTO);
        System.out.println("jfr=" + PlatformDependent.isJfrEnabled());
    }
}
