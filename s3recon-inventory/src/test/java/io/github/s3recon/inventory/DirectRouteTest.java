package io.github.s3recon.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/** Which clients and environments the direct path steps aside for. */
class DirectRouteTest {

    @Test
    void aProxyInTheEnvironmentSendsListingsThroughTheSdk() {
        assertThat(DirectRoute.proxyInEnvironment(Map.of())).isFalse();
        assertThat(DirectRoute.proxyInEnvironment(Map.of("NO_PROXY", "localhost"))).isFalse();
        assertThat(DirectRoute.proxyInEnvironment(Map.of("HTTPS_PROXY", " "))).isFalse();
        assertThat(DirectRoute.proxyInEnvironment(Map.of("https_proxy", "http://proxy:3128"))).isTrue();
        assertThat(DirectRoute.proxyInEnvironment(Map.of("HTTP_PROXY", "http://proxy:3128"))).isTrue();
        assertThat(DirectRoute.proxyInEnvironment(Map.of("all_proxy", "socks5://proxy:1080"))).isTrue();
    }

    @Test
    void aUsersSignerOrInterceptorSendsListingsThroughTheSdk() {
        assertThat(DirectRoute.honoursClient(null)).isTrue();
        assertThat(DirectRoute.honoursClient(ClientOverrideConfiguration.builder().build())).isTrue();
        ExecutionInterceptor own = new ExecutionInterceptor() {
        };
        assertThat(DirectRoute.honoursClient(ClientOverrideConfiguration.builder()
                .addExecutionInterceptor(own).build())).isFalse();
        assertThat(DirectRoute.honoursClient(ClientOverrideConfiguration.builder()
                .putAdvancedOption(SdkAdvancedClientOption.SIGNER, (request, attributes) -> request).build())).isFalse();
    }
}
