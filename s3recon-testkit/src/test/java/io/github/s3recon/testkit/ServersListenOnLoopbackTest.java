package io.github.s3recon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every server the testkit starts listens on 127.0.0.1 only: a test run must not open an S3
 * endpoint (accepting any credentials) to the machine's network.
 */
class ServersListenOnLoopbackTest {

    private static InetAddress external;

    @BeforeAll
    static void findNonLoopbackAddress() throws SocketException {
        external = nonLoopbackAddress().orElse(null);
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp() || nif.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nif.getInetAddresses())) {
                // IPv4 first: an IPv6 link-local address needs a scope and proves less.
                if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                    return Optional.of(address);
                }
            }
        }
        return Optional.empty();
    }

    private static void assertLoopbackOnly(URI endpoint) {
        assumeTrue(external != null, "this machine has no non-loopback IPv4 address to try");
        assertThat(endpoint.getHost()).isEqualTo("127.0.0.1");
        assertThat(reachable(inetAddressOf("127.0.0.1"), endpoint.getPort()))
                .as("reachable on 127.0.0.1:%d", endpoint.getPort()).isTrue();
        assertThat(reachable(external, endpoint.getPort()))
                .as("reachable on %s:%d", external.getHostAddress(), endpoint.getPort()).isFalse();
    }

    private static InetAddress inetAddressOf(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean reachable(InetAddress address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void embeddedS3() {
        try (EmbeddedS3 s3 = EmbeddedS3.start()) {
            assertLoopbackOnly(s3.endpoint());
        }
    }

    @Test
    void embeddedS3Proxy() {
        try (EmbeddedS3Proxy s3 = EmbeddedS3Proxy.start()) {
            assertLoopbackOnly(s3.endpoint());
        }
    }

    @Test
    void syntheticS3() {
        try (SyntheticS3 s3 = SyntheticS3.builder().objects(1).build()) {
            assertLoopbackOnly(s3.endpoint());
        }
    }

    @Test
    void faultInjectingProxy() {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(URI.create("http://127.0.0.1:9"))) {
            assertLoopbackOnly(proxy.endpoint());
        }
    }
}
