package io.atrium.plugins.crm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.atrium.plugin.api.Event;
import io.atrium.plugin.api.EventRejectedException;
import io.atrium.plugin.api.EventSink;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands records to the hub as events, whether a poll or a webhook read them, and keeps the deal
 * stages that tell a stage change from another change. One batch at a time, so a poll and a webhook
 * that see the same deal decide on it one after the other.
 *
 * <p>A deal is {@code deal_created} when it is new to the plugin and was created after the plugin
 * began watching (or a webhook says {@code deal.creation}); {@code deal_stage_changed} (with
 * {@code previous_stage}) when its stage differs from the one last seen (or a webhook says the
 * {@code dealstage} property changed); {@code deal_updated} otherwise. A version of a deal already
 * seen is not handed over again.
 */
final class SyncProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(SyncProcessor.class);

    /** What a webhook said about a deal, beyond its current state. */
    enum Hint { NONE, CREATED, STAGE_CHANGED }

    private final EventSink sink;
    private final SyncState state;
    private final EventMapping mapping;

    SyncProcessor(EventSink sink, SyncState state, EventMapping mapping) {
        this.sink = sink;
        this.state = state;
        this.mapping = mapping;
    }

    EventMapping mapping() {
        return mapping;
    }

    /**
     * Hands the events of {@code records} to the hub, then records the deals' stages.
     *
     * @param hints what webhooks said about deals, by deal id (may be empty)
     * @return how many events the hub took
     * @throws EventRejectedException when the hub could not take them now ({@code isTransient()}); nothing of the
     *                                batch is then remembered, so the records are handed over again later
     */
    synchronized int process(List<? extends SyncRecord> records, Map<String, Hint> hints) {
        List<Event> events = new ArrayList<>();
        Map<String, SyncState.DealState> deals = new LinkedHashMap<>();
        for (SyncRecord r : records) {
            if (r.id() == null || r.modified() == null) {
                LOG.warn("crm: a {} record without {} is left out", r.type().singular(), r.id() == null ? "id" : "change time");
                continue;
            }
            if (r instanceof SyncRecord.Contact c) {
                events.add(mapping.identify(c));
            } else if (r instanceof SyncRecord.Deal d) {
                deal(d, hints.getOrDefault(d.id(), Hint.NONE), deals, events);
            } else if (r instanceof SyncRecord.Activity a) {
                if (a.contacts().isEmpty()) {
                    LOG.debug("crm: {} {} has no contact; no event", a.type().singular(), a.id());
                }
                events.addAll(mapping.activity(a));
            }
        }
        int taken = submit(events);
        state.saveDeals(deals);
        return taken;
    }

    private void deal(SyncRecord.Deal d, Hint hint, Map<String, SyncState.DealState> changed, List<Event> events) {
        long ms = d.modified().toEpochMilli();
        SyncState.DealState before = changed.containsKey(d.id()) ? changed.get(d.id()) : state.deal(d.id());
        if (before != null && ms <= before.modifiedMs()) {
            return;
        }
        String name;
        String previous = null;
        if (hint == Hint.CREATED
                || (before == null && d.created() != null && !d.created().isBefore(state.since()))) {
            name = EventMapping.DEAL_CREATED;
        } else if (before != null && !Objects.equals(before.stage(), d.stage())) {
            name = EventMapping.DEAL_STAGE_CHANGED;
            previous = before.stage();
        } else if (hint == Hint.STAGE_CHANGED) {
            name = EventMapping.DEAL_STAGE_CHANGED;
        } else {
            name = EventMapping.DEAL_UPDATED;
        }
        changed.put(d.id(), new SyncState.DealState(d.stage(), ms));
        if (d.contacts().isEmpty()) {
            LOG.debug("crm: deal {} has no contact; no {} event", d.id(), name);
        }
        events.addAll(mapping.deal(d, name, previous));
    }

    /**
     * Submits all events; when the hub refuses them for good (a bad event), each is tried alone so one
     * bad event does not hold the others back for ever.
     */
    private int submit(List<Event> events) {
        if (events.isEmpty()) {
            return 0;
        }
        try {
            sink.submit(events);
            return events.size();
        } catch (EventRejectedException e) {
            if (e.isTransient() || events.size() == 1) {
                if (!e.isTransient()) {
                    LOG.error("crm: the hub refused event {} for good ({}); it is left out", events.get(0).messageId(),
                            e.getMessage());
                    return 0;
                }
                throw e;
            }
        }
        int taken = 0;
        for (Event event : events) {
            try {
                sink.submit(List.of(event));
                taken++;
            } catch (EventRejectedException e) {
                if (e.isTransient()) {
                    throw e;
                }
                LOG.error("crm: the hub refused event {} for good ({}); it is left out", event.messageId(), e.getMessage());
            }
        }
        return taken;
    }
}
