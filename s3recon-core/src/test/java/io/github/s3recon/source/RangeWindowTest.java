package io.github.s3recon.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link RangeWindow}: the bytes a ranged GET asked for, cut from a whole body that a server sent
 * because it ignored {@code Range}.
 */
class RangeWindowTest {

    private static final byte[] WHOLE = new byte[1000];

    static {
        for (int i = 0; i < WHOLE.length; i++) {
            WHOLE[i] = (byte) (i * 7);
        }
    }

    /** A body that hands out at most 3 bytes per read and skips nothing, as slow sockets do. */
    private static InputStream trickle() {
        return new ByteArrayInputStream(WHOLE) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 3));
            }

            @Override
            public synchronized long skip(long n) {
                return 0;
            }
        };
    }

    @Test
    void yieldsExactlyTheWindow() throws IOException {
        long[][] windows = {{0, 1}, {0, 1000}, {0, 5000}, {1, -1}, {999, -1}, {999, 1}, {10, 20}, {990, 100}, {0, -1}};
        for (long[] w : windows) {
            int from = (int) w[0];
            int to = w[1] < 0 ? WHOLE.length : (int) Math.min(WHOLE.length, w[0] + w[1]);
            byte[] expected = Arrays.copyOfRange(WHOLE, from, to);
            try (InputStream in = new RangeWindow(new ByteArrayInputStream(WHOLE), w[0], w[1])) {
                assertThat(in.readAllBytes()).as("window %d+%d", w[0], w[1]).isEqualTo(expected);
            }
            try (InputStream in = new RangeWindow(trickle(), w[0], w[1])) {
                assertThat(in.readAllBytes()).as("window %d+%d of a trickle", w[0], w[1]).isEqualTo(expected);
            }
        }
    }

    @Test
    void aWindowPastTheEndIsEmpty() throws IOException {
        for (InputStream whole : new InputStream[] {new ByteArrayInputStream(WHOLE), trickle()}) {
            try (InputStream in = new RangeWindow(whole, 1000, -1)) {
                assertThat(in.read()).isEqualTo(-1);
                assertThat(in.read(new byte[4], 0, 4)).isEqualTo(-1);
                assertThat(in.available()).isZero();
            }
        }
        try (InputStream in = new RangeWindow(new ByteArrayInputStream(WHOLE), 5000, 10)) {
            assertThat(in.readAllBytes()).isEmpty();
        }
    }

    @Test
    void singleBytesSkipAndAvailableStayInTheWindow() throws IOException {
        try (InputStream in = new RangeWindow(new ByteArrayInputStream(WHOLE), 100, 10)) {
            assertThat(in.available()).isZero(); // not positioned yet: nothing promised
            assertThat(in.read()).isEqualTo(WHOLE[100] & 0xFF);
            assertThat(in.available()).isEqualTo(9);
            assertThat(in.skip(5)).isEqualTo(5);
            assertThat(in.skip(100)).isEqualTo(4);
            assertThat(in.read()).isEqualTo(-1);
            assertThat(in.read(new byte[0], 0, 0)).isZero();
            assertThat(in.markSupported()).isFalse();
        }
    }
}
