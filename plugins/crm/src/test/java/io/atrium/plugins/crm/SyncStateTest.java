package io.atrium.plugins.crm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

import io.atrium.plugin.testkit.MemoryStateStore;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncStateTest {

    static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    static final String HUBSPOT = "hubspot https://api.hubapi.com";

    @TempDir
    Path dir;

    final MemoryStateStore store = new MemoryStateStore();

    @Test
    void cursorsAndDealsAreReadBackAfterARestart() {
        SyncState s = SyncState.open(store, dir, HUBSPOT, T0);
        SyncState.Cursor c = s.cursor(ObjectType.DEALS, T0);
        assertThat(c).isEqualTo(new SyncState.Cursor(T0.toEpochMilli(), Set.of()));
        s.saveCursor(ObjectType.DEALS, new SyncState.Cursor(1000, Set.of("7", "8")));
        s.saveDeals(Map.of("7", new SyncState.DealState("won", 1000)));

        SyncState again = SyncState.open(store, dir, HUBSPOT, Instant.parse("2030-01-01T00:00:00Z"));
        assertThat(again.since()).isEqualTo(T0);
        assertThat(again.cursor(ObjectType.DEALS, Instant.EPOCH)).isEqualTo(new SyncState.Cursor(1000, Set.of("7", "8")));
        assertThat(again.deal("7")).isEqualTo(new SyncState.DealState("won", 1000));
        assertThat(again.cursorTypes()).containsExactly(ObjectType.DEALS);
        assertThat(store.list("").keySet()).containsExactly("cursors", "deal/7");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void theStateOfAnotherCrmIsReplacedNotFollowed() {
        SyncState s = SyncState.open(store, dir, HUBSPOT, T0);
        s.saveCursor(ObjectType.CONTACTS, new SyncState.Cursor(5000, Set.of("1")));
        s.saveDeals(Map.of("7", new SyncState.DealState("won", 1000)));
        SyncState other = SyncState.open(store, dir, "generic https://crm.internal", Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(other.since()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(other.cursorTypes()).isEmpty();
        assertThat(other.deal("7")).isNull();
        assertThat(store.get(SyncState.CURSORS_KEY).orElseThrow().json()).contains("generic https://crm.internal");
    }

    @Test
    void twoNodesCannotBothAdvanceTheCursorsFromTheSameValue() {
        SyncState a = SyncState.open(store, dir, HUBSPOT, T0);
        SyncState b = SyncState.open(store, dir, HUBSPOT, T0);
        a.saveCursor(ObjectType.CONTACTS, new SyncState.Cursor(2000, Set.of("1")));
        assertThatThrownBy(() -> b.saveCursor(ObjectType.CONTACTS, new SyncState.Cursor(3000, Set.of("9"))))
                .isInstanceOf(SyncState.CursorsMoved.class);
        assertThat(b.cursorTypes()).as("the refused cursor is not kept either").isEmpty();
        assertThat(b.reload()).isTrue();
        assertThat(b.cursor(ObjectType.CONTACTS, T0)).isEqualTo(new SyncState.Cursor(2000, Set.of("1")));
        b.saveCursor(ObjectType.CONTACTS, new SyncState.Cursor(3000, Set.of("2")));
        assertThat(SyncState.open(store, dir, HUBSPOT, T0).cursor(ObjectType.CONTACTS, T0))
                .isEqualTo(new SyncState.Cursor(3000, Set.of("2")));
    }

    @Test
    void theFilesOfAnOlderVersionAreReadOnceIntoTheStore() throws Exception {
        Files.writeString(dir.resolve(SyncState.CURSORS), """
                { "version" : 1, "source" : "hubspot https://api.hubapi.com", "since" : "2024-06-01T00:00:00Z",
                  "cursors" : { "contacts" : { "modified" : 1738404000000, "modifiedAt" : "2025-02-01T10:00:00Z", "ids" : [ "901" ] } } }
                """);
        Files.writeString(dir.resolve(SyncState.DEALS), """
                { "version" : 1, "source" : "hubspot https://api.hubapi.com", "deals" : { "7" : { "stage" : "won", "modified" : 1000 } } }
                """);
        SyncState s = SyncState.open(store, dir, HUBSPOT, T0);
        assertThat(s.since()).isEqualTo(Instant.parse("2024-06-01T00:00:00Z"));
        assertThat(s.cursor(ObjectType.CONTACTS, T0)).isEqualTo(new SyncState.Cursor(1738404000000L, Set.of("901")));
        assertThat(s.deal("7")).isEqualTo(new SyncState.DealState("won", 1000));
        assertThat(dir.resolve("cursors.json.imported")).exists();
        assertThat(dir.resolve("deals.json.imported")).exists();
        assertThat(dir.resolve(SyncState.CURSORS)).doesNotExist();

        // Another node upgraded later with its own older file: the stored cursors are kept.
        Path otherNode = Files.createDirectories(dir.resolve("other"));
        Files.writeString(otherNode.resolve(SyncState.CURSORS), """
                { "version" : 1, "source" : "hubspot https://api.hubapi.com", "since" : "2024-01-01T00:00:00Z",
                  "cursors" : { "contacts" : { "modified" : 5, "ids" : [ ] } } }
                """);
        SyncState second = SyncState.open(store, otherNode, HUBSPOT, T0);
        assertThat(second.cursor(ObjectType.CONTACTS, T0)).isEqualTo(new SyncState.Cursor(1738404000000L, Set.of("901")));
        assertThat(otherNode.resolve(SyncState.CURSORS)).doesNotExist();
    }

    @Test
    void aStateFileThatCannotBeReadFailsNamingIt() throws Exception {
        Files.writeString(dir.resolve(SyncState.CURSORS), "{\"version\":1,");
        assertThatThrownBy(() -> SyncState.open(store, dir, "hubspot x", T0))
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
