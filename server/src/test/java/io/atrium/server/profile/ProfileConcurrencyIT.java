package io.atrium.server.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;

import io.atrium.plugin.api.Event;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Several competing consumers and several producers at once: nothing is lost, doubled or split. */
class ProfileConcurrencyIT extends ProfileTestSupport {

    @Autowired
    ProfileConsumer consumer;

    @Autowired
    ProfileStore store;

    @Test
    void concurrentConsumersNeitherDoubleApplyNorSplitPeople() throws Exception {
        EventScenario scenario = new EventScenario(25, 7L);
        String s = unique();
        UnaryOperator<String> real = symbol -> ProfileConvergenceIT.real(symbol, "c" + s, 9, s);
        List<Event> events = new ArrayList<>(scenario.events(real));
        Collections.shuffle(events, new Random(1));
        // A fifth of the events is sent a second time in another batch, as a retrying sender would.
        List<Event> all = new ArrayList<>(events);
        all.addAll(events.subList(0, events.size() / 5));
        Collections.shuffle(all, new Random(2));

        // This hub runs atrium.profiles.consumers (2) workers; three more make five competing consumers.
        List<ProfileConsumer.Worker> extra = List.of(consumer.startWorker(), consumer.startWorker(), consumer.startWorker());
        ExecutorService senders = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> sent = new ArrayList<>();
            int chunk = 5;
            for (int i = 0; i < all.size(); i += chunk) {
                List<Event> part = all.subList(i, Math.min(all.size(), i + chunk));
                sent.add(senders.submit(() -> intake.submit(part)));
            }
            for (Future<?> f : sent) {
                f.get();
            }
            awaitStored(events.stream().map(Event::messageId).toList());
        } finally {
            senders.shutdown();
            extra.forEach(ProfileConsumer.Worker::stop);
        }

        assertOnePersonEach(scenario, real, events);
    }

    /**
     * One hub applies one batch at a time, so the batches above meet in PostgreSQL only through the
     * consumers' turns; several hubs apply theirs at the same time. Here four threads call the store at
     * once with overlapping people, as four hubs would, and the locks alone must keep them apart.
     */
    @Test
    void batchesAppliedAtTheSameTimeAsBySeveralHubsNeitherDoubleApplyNorSplitPeople() throws Exception {
        EventScenario scenario = new EventScenario(25, 11L);
        String s = unique();
        UnaryOperator<String> real = symbol -> ProfileConvergenceIT.real(symbol, "h" + s, 9, s);
        List<Event> events = new ArrayList<>(scenario.events(real));
        Collections.shuffle(events, new Random(3));
        List<Event> all = new ArrayList<>(events);
        all.addAll(events.subList(0, events.size() / 5));
        Collections.shuffle(all, new Random(4));
        ExecutorService hubs = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> applied = new ArrayList<>();
            int chunk = 7;
            for (int i = 0; i < all.size(); i += chunk) {
                List<Event> part = all.subList(i, Math.min(all.size(), i + chunk));
                applied.add(hubs.submit(() -> store.apply(part)));
            }
            for (Future<?> f : applied) {
                f.get();
            }
        } finally {
            hubs.shutdown();
        }
        assertOnePersonEach(scenario, real, events);
    }

    private void assertOnePersonEach(EventScenario scenario, UnaryOperator<String> real, List<Event> events) {
        Map<String, String> symbols = scenario.symbols(real);
        TreeSet<String> canonical = EventScenario.canonical(jdbc, symbols, v -> v);
        assertThat(canonical).as("one profile per person").hasSize(scenario.people);
        for (int p = 0; p < scenario.people; p++) {
            String person = "p" + p + ".";
            assertThat(canonical).filteredOn(c -> c.contains("user_id:" + person + "user")).singleElement().satisfies(c -> {
                assertThat(c).contains("anonymous_id:" + person + "d0", "anonymous_id:" + person + "d1", "anonymous_id:" + person + "d2",
                        "email:" + person + "email", "phone:" + person + "phone", "crm_id:" + person + "crm");
                assertThat(c.replace(person, "")).as("nothing of another person").doesNotContainPattern("p\\d+\\.");
            });
        }
        String[] ids = events.stream().map(Event::messageId).toArray(String[]::new);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM events WHERE message_id = ANY(?)", Long.class, (Object) ids))
                .isEqualTo(events.size());
        assertThat(jdbc.queryForObject("SELECT count(*) FROM events WHERE message_id = ANY(?) AND profile_id IS NULL", Long.class,
                (Object) ids)).isZero();
        // events.profile_id has no foreign key (V40): the locks must keep every event on a profile that exists.
        assertThat(jdbc.queryForObject("SELECT count(*) FROM events e WHERE e.message_id = ANY(?) "
                + "AND NOT EXISTS (SELECT 1 FROM profiles p WHERE p.id = e.profile_id)", Long.class, (Object) ids))
                .as("events on a profile that no longer exists").isZero();
    }
}
