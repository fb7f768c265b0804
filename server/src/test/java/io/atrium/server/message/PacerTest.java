package io.atrium.server.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** A channel's rate-per-second: sends wait for their slot, so a burst is spread out. */
class PacerTest {

    @Test
    void aBurstIsSpreadToTheRate() {
        Dispatcher.Pacer pacer = new Dispatcher.Pacer(20); // one send every 50 ms
        long start = System.nanoTime();
        for (int i = 0; i < 11; i++) {
            pacer.acquire();
        }
        // The first goes at once, the other ten each wait for their 50 ms slot: at least 500 ms in all.
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(490);
    }

    @Test
    void noRateMeansNoWait() {
        Dispatcher.Pacer pacer = new Dispatcher.Pacer(0);
        long start = System.nanoTime();
        for (int i = 0; i < 10_000; i++) {
            pacer.acquire();
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(490);
    }

    @Test
    void statusesOnlyMoveForward() {
        assertThat(MessageStore.moves("sent", io.atrium.plugin.api.MessageStatus.DELIVERED)).isTrue();
        assertThat(MessageStore.moves("opened", io.atrium.plugin.api.MessageStatus.DELIVERED)).isFalse();
        assertThat(MessageStore.moves("delivered", io.atrium.plugin.api.MessageStatus.BOUNCED)).isTrue();
        assertThat(MessageStore.moves("failed", io.atrium.plugin.api.MessageStatus.DELIVERED)).isFalse();
        assertThat(MessageStore.moves("sent", io.atrium.plugin.api.MessageStatus.UNSUBSCRIBED)).isFalse();
    }
}
