package io.atrium.plugins.crm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.atrium.plugin.api.Event;
import io.atrium.plugin.api.EventRejectedException;
import io.atrium.plugin.api.EventSink;

import io.atrium.plugin.testkit.MemoryStateStore;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyncProcessorTest {

    static final Instant SINCE = Instant.parse("2025-01-01T00:00:00Z");

    @TempDir
    Path dir;

    final List<Event> submitted = new ArrayList<>();
    RuntimeException failNext;
    String refuse;
    SyncState state;
    SyncProcessor processor;

    final EventSink sink = events -> {
        if (failNext != null) {
            RuntimeException f = failNext;
            failNext = null;
            throw f;
        }
        if (refuse != null && events.stream().anyMatch(e -> e.messageId().contains(refuse))) {
            throw new EventRejectedException("[0].traits: bad", false, null);
        }
        submitted.addAll(events);
    };

    final MemoryStateStore store = new MemoryStateStore();

    @BeforeEach
    void setUp() {
        state = SyncState.open(store, dir, "hubspot https://api.hubapi.com", SINCE);
        processor = new SyncProcessor(sink, state, new EventMapping("hubspot"));
    }

    static SyncRecord.Deal deal(String id, String stage, String created, String modified) {
        return new SyncRecord.Deal(id, Instant.parse(modified), created == null ? null : Instant.parse(created), stage,
                Map.of("deal_id", id), List.of(new SyncRecord.ContactRef("901", "ann@example.com")));
    }

    List<String> names() {
        return submitted.stream().map(e -> e.event() + (e.properties().containsKey("previous_stage")
                ? "(" + e.properties().get("previous_stage") + "->" + e.properties().get("stage") + ")" : "")).toList();
    }

    @Test
    void aNewDealCreatedAfterTheStartIsCreatedThenItsStageChangesAreStageChanges() {
        processor.process(List.of(deal("1", "appointmentscheduled", "2025-02-01T00:00:00Z", "2025-02-01T00:00:00Z")), Map.of());
        processor.process(List.of(deal("1", "appointmentscheduled", "2025-02-01T00:00:00Z", "2025-02-02T00:00:00Z")), Map.of());
        processor.process(List.of(deal("1", "contractsent", "2025-02-01T00:00:00Z", "2025-02-03T00:00:00Z")), Map.of());
        assertThat(names()).containsExactly("deal_created", "deal_updated", "deal_stage_changed(appointmentscheduled->contractsent)");
        assertThat(state.deal("1")).isEqualTo(new SyncState.DealState("contractsent",
                Instant.parse("2025-02-03T00:00:00Z").toEpochMilli()));
    }

    @Test
    void aDealThatExistedBeforeTheStartIsFirstAnUpdate() {
        processor.process(List.of(deal("2", "qualifiedtobuy", "2024-06-01T00:00:00Z", "2025-02-01T00:00:00Z")), Map.of());
        assertThat(names()).containsExactly("deal_updated");
        assertThat(submitted.get(0).properties()).containsEntry("stage", "qualifiedtobuy");
    }

    @Test
    void theSameVersionOfADealIsHandedOverOnceAndAnOlderOneNever() {
        SyncRecord.Deal v = deal("3", "a", "2025-02-01T00:00:00Z", "2025-02-05T00:00:00Z");
        processor.process(List.of(v), Map.of());
        processor.process(List.of(v), Map.of());
        processor.process(List.of(deal("3", "b", "2025-02-01T00:00:00Z", "2025-02-04T00:00:00Z")), Map.of());
        assertThat(names()).containsExactly("deal_created");
    }

    @Test
    void twoVersionsInOneBatchAreDecidedInTurn() {
        processor.process(List.of(deal("4", "a", "2025-02-01T00:00:00Z", "2025-02-01T00:00:00Z"),
                deal("4", "b", "2025-02-01T00:00:00Z", "2025-02-02T00:00:00Z")), Map.of());
        assertThat(names()).containsExactly("deal_created", "deal_stage_changed(a->b)");
    }

    @Test
    void aWebhooksHintsSayCreatedOrStageChangedWhereTheStateCannot() {
        processor.process(List.of(deal("5", "won", "2024-01-01T00:00:00Z", "2025-02-01T00:00:00Z")),
                Map.of("5", SyncProcessor.Hint.STAGE_CHANGED));
        processor.process(List.of(deal("6", "new", null, "2025-02-01T00:00:00Z")), Map.of("6", SyncProcessor.Hint.CREATED));
        assertThat(names()).containsExactly("deal_stage_changed", "deal_created");
    }

    @Test
    void dealStagesSurviveARestart() {
        processor.process(List.of(deal("7", "a", "2025-02-01T00:00:00Z", "2025-02-01T00:00:00Z")), Map.of());
        SyncState again = SyncState.open(store, dir, "hubspot https://api.hubapi.com", Instant.now());
        assertThat(again.since()).isEqualTo(SINCE);
        new SyncProcessor(sink, again, new EventMapping("hubspot"))
                .process(List.of(deal("7", "b", "2025-02-01T00:00:00Z", "2025-02-02T00:00:00Z")), Map.of());
        assertThat(names()).containsExactly("deal_created", "deal_stage_changed(a->b)");
    }

    @Test
    void whenTheHubCannotTakeTheEventsNothingIsRemembered() {
        failNext = new EventRejectedException("broker down", true, null);
        SyncRecord.Deal v = deal("8", "a", "2025-02-01T00:00:00Z", "2025-02-01T00:00:00Z");
        assertThatThrownBy(() -> processor.process(List.of(v), Map.of())).isInstanceOf(EventRejectedException.class);
        assertThat(state.deal("8")).isNull();
        processor.process(List.of(v), Map.of());
        assertThat(names()).containsExactly("deal_created");
    }

    @Test
    void oneEventTheHubRefusesForGoodDoesNotHoldBackTheOthers() {
        refuse = "contact:66:";
        SyncRecord.Contact bad = new SyncRecord.Contact("66", Instant.parse("2025-02-01T00:00:00Z"), null, null, null, Map.of());
        SyncRecord.Contact good = new SyncRecord.Contact("67", Instant.parse("2025-02-01T00:00:00Z"), null, null, null, Map.of());
        assertThat(processor.process(List.of(bad, good), Map.of())).isEqualTo(1);
        assertThat(submitted).extracting(Event::messageId).containsExactly("crm:hubspot:contact:67:"
                + Instant.parse("2025-02-01T00:00:00Z").toEpochMilli());
    }

    @Test
    void aRecordWithoutIdOrChangeTimeIsLeftOut() {
        processor.process(List.of(new SyncRecord.Contact(null, Instant.now(), null, null, null, Map.of()),
                new SyncRecord.Contact("9", null, null, null, null, Map.of())), Map.of());
        assertThat(submitted).isEmpty();
    }
}
