package io.github.s3recon.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RateMeterTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void noRateBeforeTwoSamples() {
        RateMeter meter = new RateMeter(3);
        assertThat(meter.objectsPerSecond()).isZero();
        meter.sample(T0, 0, 0);
        assertThat(meter.objectsPerSecond()).isZero();
        assertThat(meter.eta(0, 10, 0, -1)).isNull();
        assertThatIllegalArgumentException().isThrownBy(() -> new RateMeter(1));
    }

    @Test
    void averagesOverTheKeptSamplesOnly() {
        RateMeter meter = new RateMeter(3);
        meter.sample(T0, 0, 0);
        meter.sample(T0.plusSeconds(1), 100, 1000);
        // 100 objects and 1,000 bytes in 1 s
        assertThat(meter.objectsPerSecond()).isEqualTo(100.0);
        assertThat(meter.bytesPerSecond()).isEqualTo(1000.0);
        meter.sample(T0.plusSeconds(2), 300, 3000);
        // oldest kept is t0: 300 in 2 s
        assertThat(meter.objectsPerSecond()).isEqualTo(150.0);
        meter.sample(T0.plusSeconds(3), 310, 3100);
        // t0 dropped; from t1 (100) to t3 (310): 210 in 2 s
        assertThat(meter.objectsPerSecond()).isEqualTo(105.0);
        assertThat(meter.bytesPerSecond()).isEqualTo(1050.0);
    }

    @Test
    void etaIsTheLongerOfObjectsAndBytesLeft() {
        RateMeter meter = new RateMeter(10);
        meter.sample(T0, 0, 0);
        meter.sample(T0.plusSeconds(10), 100, 1_000_000);
        // 10 objects/s and 100,000 bytes/s; 900 objects left = 90 s; 9,000,000 bytes left = 90 s
        assertThat(meter.eta(100, 1000, 1_000_000, 10_000_000)).isEqualTo(Duration.ofSeconds(90));
        // bytes dominate: 19,000,000 left = 190 s
        assertThat(meter.eta(100, 1000, 1_000_000, 20_000_000)).isEqualTo(Duration.ofSeconds(190));
        // bytes not known: objects only
        assertThat(meter.eta(100, 1000, 1_000_000, -1)).isEqualTo(Duration.ofSeconds(90));
        // nothing left
        assertThat(meter.eta(1000, 1000, 5, 5)).isEqualTo(Duration.ZERO);
        // nothing known
        assertThat(meter.eta(100, -1, 5, -1)).isNull();
    }

    @Test
    void aStallHasNoEta() {
        RateMeter meter = new RateMeter(2);
        meter.sample(T0, 50, 0);
        meter.sample(T0.plusSeconds(5), 50, 0);
        assertThat(meter.objectsPerSecond()).isZero();
        assertThat(meter.eta(50, 100, 0, -1)).isNull();
    }
}
