package io.atrium.plugins.crm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncStateTest {

    static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    @TempDir
    Path dir;

    @Test
    void cursorsAndDealsAreReadBackAfterARestart() {
        SyncState s = SyncState.open(dir, "hubspot https://api.hubapi.com", T0);
        SyncState.Cursor c = s.cursor(ObjectType.DEALS, T0);
        assertThat(c).isEqualTo(new SyncState.Cursor(T0.toEpochMilli(), Set.of()));
        s.saveCursor(ObjectType.DEALS, new SyncState.Cursor(1000, Set.of("7", "8")));
        s.saveDeals(Map.of("7", new SyncState.DealState("won", 1000)));

        SyncState again = SyncState.open(dir, "hubspot https://api.hubapi.com", Instant.parse("2030-01-01T00:00:00Z"));
        assertThat(again.since()).isEqualTo(T0);
        assertThat(again.cursor(ObjectType.DEALS, Instant.EPOCH)).isEqualTo(new SyncState.Cursor(1000, Set.of("7", "8")));
        assertThat(again.deal("7")).isEqualTo(new SyncState.DealState("won", 1000));
        assertThat(again.cursorTypes()).containsExactly(ObjectType.DEALS);
        assertThat(dir.resolve("cursors.json.tmp")).doesNotExist();
    }

    @Test
    void theStateOfAnotherCrmIsSetAsideNotFollowed() throws Exception {
        SyncState s = SyncState.open(dir, "hubspot https://api.hubapi.com", T0);
        s.saveCursor(ObjectType.CONTACTS, new SyncState.Cursor(5000, Set.of("1")));
        s.saveDeals(Map.of("7", new SyncState.DealState("won", 1000)));
        SyncState other = SyncState.open(dir, "generic https://crm.internal", Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(other.since()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(other.cursorTypes()).isEmpty();
        assertThat(other.deal("7")).isNull();
        assertThat(Files.readString(dir.resolve("cursors.json.previous"))).contains("hubspot https://api.hubapi.com");
        assertThat(dir.resolve("deals.json.previous")).exists();
    }

    @Test
    void aStateFileThatCannotBeReadFailsNamingIt() throws Exception {
        Files.writeString(dir.resolve(SyncState.CURSORS), "{\"version\":1,");
        assertThatThrownBy(() -> SyncState.open(dir, "hubspot x", T0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(dir.resolve(SyncState.CURSORS).toString())
                .hasMessageContaining("delete it to start polling again as poll-start says");
    }

    @Test
    void aCursorCoversWhatItPassedOn() {
        SyncState.Cursor c = new SyncState.Cursor(1000, Set.of("a"));
        assertThat(c.covers("a", 1000)).isTrue();
        assertThat(c.covers("b", 1000)).isFalse();
        assertThat(c.covers("b", 999)).isTrue();
        assertThat(c.covers("a", 1001)).isFalse();
        assertThat(c.advance("b", 1000)).isEqualTo(new SyncState.Cursor(1000, Set.of("a", "b")));
        assertThat(c.advance("c", 1001)).isEqualTo(new SyncState.Cursor(1001, Set.of("c")));
        assertThat(c.advance("c", 999)).isSameAs(c);
    }
}
