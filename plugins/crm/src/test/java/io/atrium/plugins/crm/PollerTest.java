package io.atrium.plugins.crm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.atrium.plugin.api.Event;
import io.atrium.plugin.api.EventRejectedException;

import io.atrium.plugin.testkit.MemoryStateStore;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cursor logic against an in-memory CRM that pages like HubSpot's search. */
class PollerTest {

    static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

    @TempDir
    Path dir;

    final List<Event> submitted = new ArrayList<>();
    RuntimeException failSubmit;

    /** Contacts by their change time; answers pages of {@code pageSize} for [from, until], oldest first. */
    static final class MemoryCrm implements CrmSource {
        final List<SyncRecord.Contact> contacts = new ArrayList<>();
        final List<String> queries = new ArrayList<>();
        final int pageSize;
        final int maxResults;
        final boolean sorted;

        MemoryCrm(int pageSize, int maxResults, boolean sorted) {
            this.pageSize = pageSize;
            this.maxResults = maxResults;
            this.sorted = sorted;
        }

        void add(String id, String modified) {
            contacts.add(new SyncRecord.Contact(id, Instant.parse(modified), null, null, null, Map.of()));
        }

        @Override
        public Page changes(ObjectType type, long fromMs, long untilMs, String after) {
            queries.add(fromMs + ".." + untilMs + (after == null ? "" : " after " + after));
            List<SyncRecord.Contact> match = contacts.stream()
                    .filter(c -> c.modified().toEpochMilli() >= fromMs && c.modified().toEpochMilli() <= untilMs)
                    .sorted(Comparator.comparing(SyncRecord.Contact::modified).thenComparing(SyncRecord.Contact::id))
                    .toList();
            if (!sorted) {
                match = new ArrayList<>(match);
                java.util.Collections.reverse(match);
            }
            int offset = after == null ? 0 : Integer.parseInt(after);
            if (offset >= maxResults) {
                throw new AssertionError("paged past the result limit");
            }
            List<SyncRecord> page = new ArrayList<>(match.subList(Math.min(offset, match.size()),
                    Math.min(offset + pageSize, match.size())));
            String next = offset + pageSize < match.size() ? Integer.toString(offset + pageSize) : null;
            return new Page(page, next);
        }

        @Override
        public boolean sortedByChange() {
            return sorted;
        }

        @Override
        public int maxResultsPerQuery() {
            return maxResults;
        }
    }

    Poller poller(MemoryCrm crm, SyncState state, Duration lag) {
        SyncProcessor p = new SyncProcessor(events -> {
            if (failSubmit != null) {
                throw failSubmit;
            }
            submitted.addAll(events);
        }, state, new EventMapping("hubspot"));
        return new Poller(crm, p, state, List.of(ObjectType.CONTACTS),
                new CrmSettings.PollStart(false, START), lag, Clock.fixed(NOW, ZoneOffset.UTC), "HubSpot", () -> true);
    }

    final MemoryStateStore store = new MemoryStateStore();

    SyncState state() {
        return SyncState.open(store, dir, "hubspot x", START);
    }

    List<String> ids() {
        return submitted.stream().map(e -> e.identities().get("crm_id")).toList();
    }

    @Test
    void pollsFromTheStartPagesToTheEndAndThenOnlyWhatIsNew() throws Exception {
        MemoryCrm crm = new MemoryCrm(2, 10_000, true);
        crm.add("1", "2025-02-01T00:00:00Z");
        crm.add("2", "2025-02-02T00:00:00Z");
        crm.add("3", "2025-02-03T00:00:00Z");
        SyncState state = state();
        Poller poller = poller(crm, state, Duration.ZERO);
        assertThat(poller.poll(ObjectType.CONTACTS)).isEqualTo(3);
        assertThat(crm.queries).containsExactly(START.toEpochMilli() + ".." + NOW.toEpochMilli(),
                START.toEpochMilli() + ".." + NOW.toEpochMilli() + " after 2");
        assertThat(state.cursor(ObjectType.CONTACTS, Instant.EPOCH))
                .isEqualTo(new SyncState.Cursor(Instant.parse("2025-02-03T00:00:00Z").toEpochMilli(), Set.of("3")));

        // Nothing new: the record at the cursor is not handed over again.
        crm.queries.clear();
        assertThat(poller.poll(ObjectType.CONTACTS)).isZero();
        assertThat(crm.queries).containsExactly(Instant.parse("2025-02-03T00:00:00Z").toEpochMilli() + ".." + NOW.toEpochMilli());
        crm.add("4", "2025-02-03T00:00:00Z"); // same millisecond as the cursor, another contact
        crm.add("3", "2025-02-04T00:00:00Z"); // contact 3 changed again
        assertThat(poller.poll(ObjectType.CONTACTS)).isEqualTo(2);
        assertThat(ids()).containsExactly("1", "2", "3", "4", "3");
    }

    @Test
    void theCursorIsKeptInTheStateStoreAndAPollAfterARestartGoesOnFromIt() throws Exception {
        MemoryCrm crm = new MemoryCrm(100, 10_000, true);
        crm.add("1", "2025-02-01T00:00:00Z");
        poller(crm, state(), Duration.ZERO).poll(ObjectType.CONTACTS);
        assertThat(store.get(SyncState.CURSORS_KEY).orElseThrow().json()).contains("\"contacts\"")
                .contains("\"modifiedAt\":\"2025-02-01T00:00:00Z\"").contains("\"1\"");
        crm.add("2", "2025-02-05T00:00:00Z");
        crm.queries.clear();
        poller(crm, state(), Duration.ZERO).poll(ObjectType.CONTACTS);
        assertThat(crm.queries).containsExactly(Instant.parse("2025-02-01T00:00:00Z").toEpochMilli() + ".." + NOW.toEpochMilli());
        assertThat(ids()).containsExactly("1", "2");
    }

    @Test
    void changesYoungerThanTheLagWaitForTheNextPoll() throws Exception {
        MemoryCrm crm = new MemoryCrm(100, 10_000, true);
        crm.add("1", "2025-03-01T11:59:00Z");
        crm.add("2", "2025-03-01T11:59:50Z");
        poller(crm, state(), Duration.ofSeconds(30)).poll(ObjectType.CONTACTS);
        assertThat(ids()).containsExactly("1");
        assertThat(crm.queries.get(0)).endsWith(".." + NOW.minusSeconds(30).toEpochMilli());
    }

    @Test
    void whenTheHubCannotTakeThemTheCursorStaysAndTheNextPollHandsThemOverAgain() throws Exception {
        MemoryCrm crm = new MemoryCrm(100, 10_000, true);
        crm.add("1", "2025-02-01T00:00:00Z");
        SyncState state = state();
        Poller poller = poller(crm, state, Duration.ZERO);
        failSubmit = new EventRejectedException("broker down", true, null);
        poller.pollAll();
        assertThat(state.cursor(ObjectType.CONTACTS, Instant.EPOCH).modifiedMs()).isEqualTo(START.toEpochMilli());
        failSubmit = null;
        poller.pollAll();
        assertThat(ids()).containsExactly("1");
        assertThat(poller.rounds()).isEqualTo(2);
    }

    @Test
    void aQueryThatReachesTheResultLimitStartsAgainFromTheCursorItReached() throws Exception {
        MemoryCrm crm = new MemoryCrm(2, 4, true);
        for (int i = 1; i <= 9; i++) {
            crm.add(Integer.toString(i), "2025-02-0" + i + "T00:00:00Z");
        }
        poller(crm, state(), Duration.ZERO).poll(ObjectType.CONTACTS);
        assertThat(ids()).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9");
        // Each query stops before the limit (the memory CRM refuses to page past it) and the next one
        // starts at the last change read, whose record is not handed over twice.
        assertThat(crm.queries).allSatisfy(q -> assertThat(q).doesNotContain("after 4"));
        assertThat(crm.queries.get(2)).startsWith(Instant.parse("2025-02-04T00:00:00Z").toEpochMilli() + "..");
        assertThat(crm.queries).hasSize(6);
    }

    @Test
    void moreChangesInOneMillisecondThanOneQueryCanPageAreSteppedOverNotReadForEver() throws Exception {
        MemoryCrm crm = new MemoryCrm(2, 4, true);
        for (int i = 1; i <= 6; i++) {
            crm.add("s" + i, "2025-02-01T00:00:00Z");
        }
        crm.add("later", "2025-02-02T00:00:00Z");
        poller(crm, state(), Duration.ZERO).poll(ObjectType.CONTACTS);
        assertThat(ids()).startsWith("s1", "s2").endsWith("later");
    }

    @Test
    void anUnsortedCrmMovesTheCursorOnlyAfterTheLastPage() throws Exception {
        MemoryCrm crm = new MemoryCrm(1, Integer.MAX_VALUE, false);
        crm.add("1", "2025-02-01T00:00:00Z");
        crm.add("2", "2025-02-02T00:00:00Z");
        SyncState state = state();
        Poller poller = poller(crm, state, Duration.ZERO);
        poller.poll(ObjectType.CONTACTS);
        assertThat(ids()).containsExactly("2", "1");
        assertThat(state.cursor(ObjectType.CONTACTS, Instant.EPOCH).modified()).isEqualTo(Instant.parse("2025-02-02T00:00:00Z"));
    }

    @Test
    void aNodeWithoutThePollLeaseDoesNotPoll() {
        MemoryCrm crm = new MemoryCrm(100, 10_000, true);
        crm.add("1", "2025-02-01T00:00:00Z");
        SyncState state = state();
        SyncProcessor p = new SyncProcessor(submitted::addAll, state, new EventMapping("hubspot"));
        Poller notHolding = new Poller(crm, p, state, List.of(ObjectType.CONTACTS), new CrmSettings.PollStart(false, START),
                Duration.ZERO, Clock.fixed(NOW, ZoneOffset.UTC), "HubSpot", () -> false);
        notHolding.pollAll();
        assertThat(crm.queries).isEmpty();
        assertThat(submitted).isEmpty();
    }

    @Test
    void aNodeThatLostTheLeaseMidRoundCannotMoveTheCursorAndTheHolderGoesOnFromTheStoredOne() throws Exception {
        MemoryCrm crm = new MemoryCrm(100, 10_000, true);
        crm.add("1", "2025-02-01T00:00:00Z");
        SyncState a = state();
        SyncState b = state(); // a second hub node on the same store
        Poller pa = poller(crm, a, Duration.ZERO);
        Poller pb = poller(crm, b, Duration.ZERO);
        pa.pollAll();
        crm.add("2", "2025-02-02T00:00:00Z");
        pb.pollAll(); // b took the lease over: it reads the stored cursor and hands over only what is new
        assertThat(ids()).containsExactly("1", "2");
        SyncState.Cursor bReached = new SyncState.Cursor(Instant.parse("2025-02-02T00:00:00Z").toEpochMilli(), Set.of("2"));

        // a, paused past its lease, still works from the cursor it read: its write is refused.
        crm.add("3", "2025-02-03T00:00:00Z");
        assertThatThrownBy(() -> pa.poll(ObjectType.CONTACTS)).isInstanceOf(SyncState.CursorsMoved.class);
        assertThat(SyncState.open(store, dir, "hubspot x", START).cursor(ObjectType.CONTACTS, START)).isEqualTo(bReached);

        submitted.clear();
        pb.pollAll();
        assertThat(ids()).containsExactly("3");
    }
}
