package io.atrium.server.profile;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.server.broker.Queues;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jms.connection.SingleConnectionFactory;
import org.springframework.stereotype.Component;

/**
 * The profile stage: competing consumers of {@code atrium.events}. Each worker has its own
 * transacted JMS session, takes up to {@code atrium.profiles.batch.max-messages} messages (or
 * {@code max-events} events, or what arrives within {@code max-wait}), applies them in one
 * PostgreSQL transaction, publishes what changed to {@code atrium.profile-changed}, and only then
 * commits the JMS session. A crash between the two commits redelivers the batch, and the stored
 * message ids make the replay a no-op.
 * <p>
 * A message that is not a JSON array of events can never succeed: it is moved to {@code atrium.dlq}
 * (as text when its bytes are UTF-8, so that it can be read there)
 * at once (with the reason in the property {@code atrium_error}), in the same JMS transaction.
 * A batch whose database transaction fails is rolled back and redelivered with the broker's backoff;
 * the worker then applies the next messages one by one, so that one bad message cannot hold up the
 * others, and a single message failing for a reason that is not transient goes to the DLQ too.
 */
@Component
public class ProfileConsumer implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ProfileConsumer.class);

    private final ConnectionFactory connectionFactory;
    private final ProfileStore store;
    private final ObjectMapper mapper;
    /** Reads queue messages, keeping the JSON text of the events' objects. */
    private final QueuedEvents queued;
    private final ProfileProperties properties;
    private final Counter rejected;
    private final List<Worker> workers = new CopyOnWriteArrayList<>();
    private final AtomicInteger names = new AtomicInteger();
    /** Held while a worker of this hub applies a batch to PostgreSQL; fair, so that the workers take turns. */
    private final ReentrantLock applying = new ReentrantLock(true);
    /** A batch stops taking messages when none arrives within this many milliseconds. */
    static final long IDLE_MS = 2;
    private volatile boolean running;

    public ProfileConsumer(ConnectionFactory connectionFactory, ProfileStore store, ObjectMapper mapper,
                           ProfileProperties properties, MeterRegistry registry) {
        this.connectionFactory = connectionFactory instanceof SingleConnectionFactory s && s.getTargetConnectionFactory() != null
                ? s.getTargetConnectionFactory() : connectionFactory;
        this.store = store;
        this.mapper = mapper;
        this.queued = new QueuedEvents(mapper);
        this.properties = properties;
        this.rejected = Counter.builder("atrium.profiles.messages.rejected")
                .description("Queue messages moved to the DLQ because they cannot be applied").register(registry);
    }

    @Override
    public void start() {
        running = true;
        for (int i = 0; i < properties.getConsumers(); i++) {
            startWorker();
        }
    }

    /** Starts one more competing consumer in this hub; tests use it to run several at once. */
    public Worker startWorker() {
        Worker w = new Worker("atrium-profiles-" + names.incrementAndGet());
        workers.add(w);
        w.thread.start();
        return w;
    }

    @Override
    public void stop() {
        running = false;
        for (Worker w : workers) {
            w.stop();
        }
        workers.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** One consumer thread with its own connection and transacted session. */
    public final class Worker implements Runnable {
        private final Thread thread;
        private volatile boolean active = true;
        private int isolate;

        Worker(String name) {
            this.thread = new Thread(this, name);
            this.thread.setDaemon(true);
        }

        public void stop() {
            active = false;
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            workers.remove(this);
        }

        @Override
        public void run() {
            while (active && running) {
                try (Connection connection = connectionFactory.createConnection()) {
                    Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
                    MessageConsumer consumer = session.createConsumer(session.createQueue(Queues.EVENTS));
                    MessageProducer changed = session.createProducer(session.createTopic(Queues.PROFILE_CHANGED));
                    MessageProducer dlq = session.createProducer(session.createQueue(Queues.DEAD_LETTER));
                    connection.start();
                    while (active && running) {
                        List<Message> batch = receive(consumer);
                        if (!batch.isEmpty()) {
                            process(session, batch, changed, dlq);
                        }
                    }
                } catch (JMSException | RuntimeException e) {
                    if (active && running) {
                        log.warn("Profile consumer {} lost its broker session, reconnecting: {}", thread.getName(), e.toString());
                        pause();
                    }
                }
            }
        }

        /**
         * The next batch: the first message, then what is already buffered or arrives with no gap of
         * more than {@link #IDLE_MS} (within {@code max-wait} in all), up to {@code max-messages} or
         * {@code max-events}. A short queue gives small batches at once, a long one big batches.
         */
        private List<Message> receive(MessageConsumer consumer) throws JMSException {
            List<Message> batch = new ArrayList<>();
            Message first = consumer.receive(500);
            if (first == null) {
                return batch;
            }
            batch.add(first);
            int maxMessages = isolate > 0 ? 1 : properties.getBatch().getMaxMessages();
            int events = count(first);
            long deadline = System.nanoTime() + properties.getBatch().getMaxWait().toNanos();
            while (batch.size() < maxMessages && events < properties.getBatch().getMaxEvents()) {
                Message m = consumer.receiveNoWait();
                if (m == null) {
                    long waitMs = Math.min(IDLE_MS, (deadline - System.nanoTime()) / 1_000_000);
                    m = waitMs > 0 ? consumer.receive(waitMs) : null;
                }
                if (m == null) {
                    break;
                }
                batch.add(m);
                events += count(m);
            }
            return batch;
        }

        private void process(Session session, List<Message> batch, MessageProducer changed, MessageProducer dlq) throws JMSException {
            List<QueuedEvents.Queued> events = new ArrayList<>();
            List<Message> poison = new ArrayList<>();
            List<String> reasons = new ArrayList<>();
            for (Message m : batch) {
                try {
                    byte[] body;
                    if (m instanceof BytesMessage b) {
                        body = new byte[(int) b.getBodyLength()];
                        b.readBytes(body);
                        b.reset(); // a copy to the DLQ reads it again
                    } else if (m instanceof TextMessage t && t.getText() != null) {
                        body = t.getText().getBytes(StandardCharsets.UTF_8); // written by a hub before 2026-12
                    } else {
                        throw new IllegalArgumentException("not a text or bytes message: " + m.getClass().getSimpleName());
                    }
                    events.addAll(queued.read(body));
                } catch (Exception e) {
                    poison.add(m);
                    reasons.add("not a JSON array of events: " + e.getMessage());
                }
            }
            try {
                ProfileStore.Changes changes;
                // One batch at a time per hub: batches of one hub nearly always share people, and the
                // second would only wait for the first one's locks. The other workers meanwhile take and
                // read their next batch, or commit their last one.
                applying.lock();
                try {
                    changes = store.applyQueued(events);
                } finally {
                    applying.unlock();
                }
                for (int i = 0; i < poison.size(); i++) {
                    deadLetter(session, dlq, poison.get(i), reasons.get(i));
                }
                if (!changes.isEmpty()) {
                    changed.send(session.createTextMessage(mapper.writeValueAsString(changes)));
                }
                session.commit();
                if (isolate > 0) {
                    isolate--;
                }
            } catch (Exception e) {
                if (batch.size() == 1 && poison.isEmpty() && !transientFailure(e)) {
                    log.error("Event message {} cannot be applied and goes to {}: {}", batch.get(0).getJMSMessageID(), Queues.DEAD_LETTER, e.toString(), e);
                    deadLetter(session, dlq, batch.get(0), "cannot be applied: " + e);
                    session.commit();
                    return;
                }
                log.warn("Batch of {} messages failed and is rolled back for redelivery: {}", batch.size(), e.toString());
                session.rollback();
                isolate = Math.max(isolate, batch.size());
                if (transientFailure(e)) {
                    pause();
                }
            }
        }

        private void deadLetter(Session session, MessageProducer dlq, Message m, String reason) throws JMSException {
            rejected.increment();
            log.warn("Message {} moved to {}: {}", m.getJMSMessageID(), Queues.DEAD_LETTER, reason);
            Message copy;
            if (m instanceof TextMessage t) {
                copy = session.createTextMessage(t.getText());
            } else if (m instanceof BytesMessage b) {
                byte[] bytes = new byte[(int) b.getBodyLength()];
                b.readBytes(bytes);
                String text = utf8(bytes);
                if (text != null) {
                    copy = session.createTextMessage(text); // readable as it is in the DLQ
                } else {
                    BytesMessage out = session.createBytesMessage();
                    out.writeBytes(bytes);
                    copy = out;
                }
            } else {
                copy = session.createMessage();
            }
            copy.setStringProperty("atrium_error", reason.length() > 1000 ? reason.substring(0, 1000) : reason);
            copy.setStringProperty("atrium_original_queue", Queues.EVENTS);
            copy.setStringProperty("atrium_original_message_id", m.getJMSMessageID());
            dlq.send(copy);
        }

        private void pause() {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                active = false;
            }
        }
    }

    /** The bytes as UTF-8 text, or null when they are not valid UTF-8. */
    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    private static int count(Message m) {
        try {
            return m.propertyExists("atrium_count") ? m.getIntProperty("atrium_count") : 1;
        } catch (JMSException | NumberFormatException e) {
            return 1;
        }
    }

    static boolean transientFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TransientDataAccessException || t instanceof DataAccessResourceFailureException
                    || t instanceof org.springframework.transaction.CannotCreateTransactionException
                    || t instanceof JMSException) {
                return true;
            }
        }
        return false;
    }
}
