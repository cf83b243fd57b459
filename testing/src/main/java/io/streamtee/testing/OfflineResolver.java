package io.streamtee.testing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.stream.Stream;

/**
 * The JVM's host name resolver in tests (installed through {@code META-INF/services}): the JDK's own until a test
 * calls {@link #activate()}, then one that answers {@code localhost} with the loopback address and refuses every
 * other name and every reverse lookup, so that a fuzz test that hands arbitrary text to a parser which resolves host
 * names sends no DNS query anywhere.
 */
public final class OfflineResolver extends InetAddressResolverProvider {
    private static volatile boolean active;
    private static volatile boolean installed;

    /**
     * From now on (for this JVM) no name is looked up beyond {@code localhost}; fails the caller when this provider is
     * not the JVM's resolver, so a test never runs unguarded.
     */
    public static void activate() {
        active = true;
        try {
            InetAddress.getByName("localhost"); // loads the resolver if nothing did yet
        } catch (UnknownHostException e) {
            throw new IllegalStateException("localhost does not resolve", e);
        }
        if (!installed) {
            throw new IllegalStateException("OfflineResolver is not the JVM's resolver: host names would be looked up");
        }
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        installed = true;
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                if (!active) {
                    return builtin.lookupByName(host, policy);
                }
                if (host.equalsIgnoreCase("localhost")) {
                    return Stream.of(InetAddress.getLoopbackAddress());
                }
                throw new UnknownHostException(host + ": no name lookups in this test");
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                if (!active) {
                    return builtin.lookupByAddress(addr);
                }
                throw new UnknownHostException("no reverse lookups in this test");
            }
        };
    }

    @Override
    public String name() {
        return "streamtee-offline";
    }
}
