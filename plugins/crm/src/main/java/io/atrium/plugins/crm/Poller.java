package io.atrium.plugins.crm;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.atrium.plugin.api.EventRejectedException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the CRM for changes since the durable cursor of each object type and hands them to the hub.
 *
 * <p>Each poll asks for the changes in {@code [cursor, now - poll-lag]}, page by page. A record the
 * cursor already covers (changed at the cursor's millisecond and listed in it) is not handed over
 * again. The events of a page go to the hub first and the cursor is saved after (after every page
 * when the CRM returns the oldest change first, as HubSpot's search does; else after the last page),
 * so a crash or a refused batch repeats records rather than losing them, and the messageIds make the
 * repeat harmless. When a query reaches the CRM's result limit (HubSpot: 10,000) it starts again from
 * the cursor it reached.
 *
 * <p>In a cluster only the hub node holding the plugin's poll lease polls; the cursors are in the
 * hub's state store, so the node that takes the lease over goes on where the last one stopped.
 */
final class Poller {

    private static final Logger LOG = LoggerFactory.getLogger(Poller.class);

    private final CrmSource source;
    private final SyncProcessor processor;
    private final SyncState state;
    private final List<ObjectType> types;
    private final CrmSettings.PollStart start;
    private final Duration lag;
    private final Clock clock;
    private final String crmName;
    private final java.util.function.BooleanSupplier mayPoll;
    private final AtomicLong rounds = new AtomicLong();
    private volatile String lastProblem;

    Poller(CrmSource source, SyncProcessor processor, SyncState state, List<ObjectType> types,
           CrmSettings.PollStart start, Duration lag, Clock clock, String crmName,
           java.util.function.BooleanSupplier mayPoll) {
        this.source = source;
        this.processor = processor;
        this.state = state;
        this.types = List.copyOf(types);
        this.start = start;
        this.lag = lag;
        this.clock = clock;
        this.crmName = crmName;
        this.mayPoll = mayPoll;
    }

    /**
     * Polls every configured object type once, when this node may (it holds the poll lease); a
     * failure is logged and the next poll tries again.
     */
    void pollAll() {
        if (!mayPoll.getAsBoolean()) {
            return;
        }
        try {
            state.reload();
            for (ObjectType type : types) {
                try {
                    int n = poll(type);
                    if (n > 0) {
                        LOG.info("crm: {} event(s) of changed {} handed to the hub", n, type.plural());
                    }
                } catch (ApiException e) {
                    if (Thread.currentThread().isInterrupted()) {
                        return; // the plugin is stopping
                    }
                    problem("crm: polling " + type.plural() + " failed: " + e.getMessage()
                            + (e.status() == 401 ? "; check key '" + CrmConfig.ACCESS_TOKEN + "'" : "")
                            + "; the next poll tries again from the same cursor");
                    if (e.status() == 429 || e.status() == 401 || e.kind() == ApiException.Kind.NOT_SENT) {
                        return; // the other types would fail the same way now
                    }
                } catch (EventRejectedException e) {
                    problem("crm: the hub did not take the polled " + type.plural() + " (" + e.getMessage()
                            + "); the next poll hands them over again");
                    return;
                } catch (SyncState.CursorsMoved e) {
                    LOG.info(e.getMessage());
                    return;
                }
            }
            if (lastProblem != null) {
                LOG.info("crm: polling {} works again", crmName);
                lastProblem = null;
            }
        } catch (SyncState.CursorsMoved e) {
            LOG.info(e.getMessage());
        } catch (IllegalStateException e) {
            problem("crm: polling failed: " + e.getMessage() + "; the next poll tries again");
        } catch (RuntimeException e) {
            LOG.error("crm: polling failed", e);
        } finally {
            rounds.incrementAndGet();
        }
    }

    /** How many polls have ended (for tests and metrics). */
    long rounds() {
        return rounds.get();
    }

    /**
     * Polls one object type to the end.
     *
     * @return how many events the hub took
     */
    int poll(ObjectType type) throws ApiException {
        SyncState.Cursor base = state.cursor(type, start.resolve(clock.instant()));
        long until = clock.instant().minus(lag).toEpochMilli();
        if (until < base.modifiedMs()) {
            return 0;
        }
        SyncState.Cursor reached = base;
        String after = null;
        int inQuery = 0;
        int taken = 0;
        while (true) {
            CrmSource.Page page = source.changes(type, base.modifiedMs(), until, after);
            List<SyncRecord> fresh = new ArrayList<>();
            for (SyncRecord r : page.records()) {
                if (r.id() == null || r.modified() == null) {
                    LOG.warn("crm: a polled {} record without {} is left out", type.singular(),
                            r.id() == null ? "id" : "change time");
                    continue;
                }
                long ms = r.modified().toEpochMilli();
                if (!base.covers(r.id(), ms)) {
                    fresh.add(r);
                }
                reached = reached.advance(r.id(), ms);
            }
            taken += processor.process(fresh, Map.of());
            if (source.sortedByChange()) {
                state.saveCursor(type, reached);
            }
            inQuery += page.records().size();
            if (page.next() == null || page.records().isEmpty()) {
                break;
            }
            if (inQuery + page.records().size() > source.maxResultsPerQuery()) {
                if (reached.modifiedMs() == base.modifiedMs()) {
                    // Every record of this query changed in the same millisecond: no cursor can tell them
                    // apart, so step over it rather than read the same ones for ever.
                    LOG.warn("crm: more than {} {} changed at {}; the ones past the limit of one query are skipped",
                            source.maxResultsPerQuery(), type.plural(), reached.modified());
                    reached = new SyncState.Cursor(reached.modifiedMs() + 1, java.util.Set.of());
                    state.saveCursor(type, reached);
                }
                base = reached;
                after = null;
                inQuery = 0;
                continue;
            }
            after = page.next();
        }
        state.saveCursor(type, reached);
        return taken;
    }

    private void problem(String message) {
        if (!message.equals(lastProblem)) {
            LOG.warn(message);
        } else {
            LOG.debug(message);
        }
        lastProblem = message;
    }
}
