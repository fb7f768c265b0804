package io.atrium.server.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** Message ids: version 7 UUIDs, unique, and in the order they were made from one millisecond to the next. */
class MessageIdTest {

    @Test
    void idsAreVersion7UuidsThatSortByTimeAndNeverRepeat() throws Exception {
        String first = MessageStore.newId();
        UUID u = UUID.fromString(first);
        assertThat(u.version()).isEqualTo(7);
        assertThat(u.variant()).isEqualTo(2);
        assertThat(u.getMostSignificantBits() >>> 16).isBetween(System.currentTimeMillis() - 1_000, System.currentTimeMillis());

        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            assertThat(seen.add(MessageStore.newId())).isTrue();
        }
        long before = System.currentTimeMillis();
        while (System.currentTimeMillis() == before) {
            Thread.onSpinWait();
        }
        assertThat(MessageStore.newId()).isGreaterThan(first);
    }
}
