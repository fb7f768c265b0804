package io.atrium.server.message;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

import io.atrium.server.support.PeriodicTask;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import jakarta.annotation.PreDestroy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jms.JmsException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Re-queues messages that were committed to PostgreSQL but whose ids never reached the outbound queue
 * (a node killed between the two commits). Every batch of queued messages is listed in a
 * {@code message_enqueues} row, written with the messages and deleted by the sender, under the row's
 * lock, once the broker committed the ids ({@link MessageStore#whileEnqueuing}). A row older than
 * {@code atrium.messages.requeue-after} that nobody holds ({@code FOR UPDATE SKIP LOCKED}: a live
 * sender holds it, and another node's sweeper too) was left by a sender that died: its messages still
 * {@code queued} are queued again, in a broker transaction carrying the same duplicate-detection keys
 * the sender used, so that ids the sender did get onto the queue (killed after the broker's commit and
 * before its own) are dropped by the broker instead of queued twice. Then the row is deleted.
 */
@Component
public class OutboundSweeper {

    private static final Logger log = LoggerFactory.getLogger(OutboundSweeper.class);
    /** Rows taken per transaction. */
    private static final int ROWS = 20;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final MessageStore store;
    private final Messages messages;
    private final Duration every;
    private final Duration after;
    private final Counter requeued;
    private ScheduledExecutorService ticker;

    public OutboundSweeper(JdbcTemplate jdbc, TransactionTemplate tx, MessageStore store, Messages messages, MeterRegistry registry,
                           @Value("${atrium.messages.sweep-every:30s}") Duration every,
                           @Value("${atrium.messages.requeue-after:2m}") Duration after) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.store = store;
        this.messages = messages;
        this.every = every;
        this.after = after;
        this.requeued = Counter.builder("atrium.messages.requeued")
                .description("Messages the sweeper put on the outbound queue after their sender died").register(registry);
    }

    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        ticker = PeriodicTask.every(every, "atrium-outbound-sweeper", log, this::sweep);
    }

    @PreDestroy
    public void stop() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
    }

    /** Sweeps every row left behind; returns how many messages it queued. */
    public int sweep() {
        int total = 0;
        while (true) {
            int[] swept = tx.execute(s -> sweepSome());
            if (swept == null || swept[0] == 0) {
                return total;
            }
            total += swept[1];
            if (swept[0] < ROWS) {
                return total;
            }
        }
    }

    /** One transaction: takes up to {@link #ROWS} rows, queues what they list that is still queued, deletes them. */
    private int[] sweepSome() {
        record Left(long id, List<String> ids) {
        }
        List<Left> left = jdbc.query("SELECT id, message_ids FROM message_enqueues WHERE created_at < now() - make_interval(secs => ?) "
                        + "ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED",
                (rs, i) -> new Left(rs.getLong(1), Arrays.asList((String[]) rs.getArray(2).getArray())),
                (double) after.toSeconds(), ROWS);
        int queued = 0;
        for (Left l : left) {
            Map<String, MessageStore.Row> rows = store.findAll(l.ids());
            List<MessageStore.Row> still = new ArrayList<>();
            for (String id : l.ids()) {
                MessageStore.Row r = rows.get(id);
                if (r != null && "queued".equals(r.status())) {
                    still.add(r);
                }
            }
            if (!still.isEmpty()) {
                // The key of the sender's own transaction: the least id of all it listed, whichever are still queued.
                String key = "atrium-enqueue-" + l.ids().stream().min(String::compareTo).orElseThrow();
                try {
                    messages.queue(still, key);
                    queued += still.size();
                    requeued.increment(still.size());
                    log.warn("{} message(s) committed {} ago or more never reached the outbound queue (a node stopped in "
                            + "between); queued now", still.size(), after);
                } catch (JmsException e) {
                    if (!Messages.duplicate(e)) {
                        throw e; // the broker is away: the rows stay, and the next sweep tries again
                    }
                    log.info("{} queued message(s) of a sender that stopped had reached the outbound queue; not queued again",
                            still.size());
                }
            }
            jdbc.update("DELETE FROM message_enqueues WHERE id = ?", l.id());
        }
        return new int[] {left.size(), queued};
    }
}
