package io.atrium.server.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.plugin.api.Event;
import io.atrium.server.broker.Queues;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jms.core.JmsTemplate;

/** The profile stage as a stage: poison messages, the profile-changed topic, its metrics. */
class ProfileStageIT extends ProfileTestSupport {

    @Autowired
    JmsTemplate jms;

    @Autowired
    ConnectionFactory connectionFactory;

    @Autowired
    com.fasterxml.jackson.databind.ObjectMapper mapper;

    @Test
    void aPoisonMessageGoesToTheDeadLetterQueueWithoutBlockingTheOthers() {
        String s = unique();
        String poison = "[{\"type\": \"track\", \"messageId\": \"poison-" + s + "\", oops";
        jms.send(Queues.EVENTS, session -> session.createTextMessage(poison));
        submitAndWait(Event.track("fine").userId("ok-" + s).messageId("ok-" + s).timestamp(Instant.now()).build());

        await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters().stream().anyMatch(m -> poison.equals(text(m))));
        Message dead = deadLetters().stream().filter(m -> poison.equals(text(m))).findFirst().orElseThrow();
        assertThat(property(dead, "atrium_error")).startsWith("not a JSON array of events");
        assertThat(get("/actuator/prometheus").body()).containsPattern("atrium_profiles_messages_rejected_total\\{[^}]*\\} [1-9]");
    }

    @Test
    void aMessageTheDatabaseRefusesGoesToTheDeadLetterQueueAndTheOthersAreApplied() throws Exception {
        String s = unique();
        // PostgreSQL refuses the NUL character in text and JSON: this batch can never be stored. The intake refuses it
        // now; one that reaches the queue all the same (an older hub's, one written to the queue by hand) is dead-lettered.
        List<Event> batch = List.of(Event.track("fine").userId("db-" + s).messageId("db-good-" + s).timestamp(Instant.now()).build(),
                Event.track("broken").userId("db-" + s).messageId("db-bad-" + s).property("note", "nul\0here")
                        .timestamp(Instant.now()).build());
        assertThatThrownBy(() -> intake.submit(batch)).isInstanceOf(io.atrium.plugin.api.EventRejectedException.class)
                .hasMessageContaining("event 1 (messageId db-bad-" + s + ")").hasMessageContaining("NUL character");
        String json = mapper.writeValueAsString(batch);
        jms.send(Queues.EVENTS, session -> session.createTextMessage(json));
        List<String> others = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Event e = Event.track("later").userId("db2-" + s + i).messageId("db-later" + i + "-" + s).timestamp(Instant.now()).build();
            intake.submit(List.of(e));
            others.add(e.messageId());
        }
        awaitStored(others);
        await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters().stream().anyMatch(m -> String.valueOf(text(m)).contains("db-bad-" + s)));
        Message dead = deadLetters().stream().filter(m -> String.valueOf(text(m)).contains("db-bad-" + s)).findFirst().orElseThrow();
        assertThat(property(dead, "atrium_error")).startsWith("cannot be applied");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM events WHERE message_id IN (?, ?)", Long.class, "db-good-" + s, "db-bad-" + s))
                .as("a queue message is applied as a whole or not at all").isZero();
    }

    @Test
    void everyCommittedBatchIsAnnouncedOnTheProfileChangedTopic() throws Exception {
        String s = unique();
        try (Connection connection = connectionFactory.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            String subscription = "profile-stage-it-" + s;
            MessageConsumer consumer = session.createSharedDurableConsumer(session.createTopic(Queues.PROFILE_CHANGED), subscription);
            connection.start();

            submitAndWait(Event.ofType("page").anonymousId("n1-" + s).messageId("n1-" + s).timestamp(Instant.now()).build());
            submitAndWait(Event.ofType("page").anonymousId("n2-" + s).messageId("n2-" + s).timestamp(Instant.now()).build());
            long first = profile("anonymous_id", "n1-" + s).path("id").asLong();
            long second = profile("anonymous_id", "n2-" + s).path("id").asLong();
            submitAndWait(Event.track("link").anonymousId("n1-" + s).identity("crm_id", "n2-" + s).messageId("n3-" + s)
                    .timestamp(Instant.now()).build());
            submitAndWait(Event.track("link").anonymousId("n2-" + s).identity("crm_id", "n2-" + s).messageId("n4-" + s)
                    .timestamp(Instant.now()).build());

            List<JsonNode> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                Message m;
                while ((m = consumer.receiveNoWait()) != null) {
                    seen.add(readJson(((TextMessage) m).getText()));
                }
                return seen.stream().anyMatch(n -> n.path("messageIds").toString().contains("n4-" + s));
            });
            JsonNode created = seen.stream().filter(n -> n.path("messageIds").toString().contains("\"n1-" + s + "\"")).findFirst().orElseThrow();
            assertThat(created.path("profiles").toString()).contains(String.valueOf(first));
            JsonNode merged = seen.stream().filter(n -> n.path("messageIds").toString().contains("n4-" + s)).findFirst().orElseThrow();
            assertThat(merged.path("profiles").toString()).contains(String.valueOf(first));
            assertThat(merged.path("mergedAway").toString()).contains(String.valueOf(second));
            consumer.close();
            session.unsubscribe(subscription);
        }
        String metrics = get("/actuator/prometheus").body();
        assertThat(metrics).contains("atrium_profiles_events_total{", "atrium_profiles_merges_total", "atrium_profiles_batch_size_events_count",
                "atrium_profiles_batch_latency_seconds_count");
    }

    private List<Message> deadLetters() {
        List<Message> out = new ArrayList<>();
        jms.browse(Queues.DEAD_LETTER, (session, browser) -> {
            out.addAll(Collections.list(browser.getEnumeration()).stream().map(Message.class::cast).toList());
            return null;
        });
        return out;
    }

    private static String text(Message m) {
        try {
            return m instanceof TextMessage t ? t.getText() : null;
        } catch (Exception e) {
            return null;
        }
    }

    private static String property(Message m, String name) {
        try {
            return m.getStringProperty(name);
        } catch (Exception e) {
            return null;
        }
    }
}
