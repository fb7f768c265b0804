package io.atrium.server.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.plugin.api.Event;
import io.atrium.server.intake.EventIntake;
import io.atrium.server.support.HubTestSupport;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Membership kept current as profiles change: entering and leaving are events in the person's history. */
class SegmentStageIT extends HubTestSupport {

    @Autowired
    EventIntake intake;
    @Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    private long createSegment(String name, String rule) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/api/v1/segments")).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"" + name + "\", \"rule\": " + rule + "}")).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return readJson(r.body()).path("id").asLong();
    }

    private void identify(String user, String city, Instant at) {
        intake.submit(List.of(Event.identify().userId(user).messageId("seg-" + user + "-" + at.toEpochMilli())
                .timestamp(at).trait("run", run).trait("city", city).build()));
    }

    private List<String> history(String user) {
        List<String> out = new ArrayList<>();
        HttpResponse<String> r = adminGet("/api/v1/profiles/user_id/" + user + "/events?size=100");
        if (r.statusCode() == 200) {
            readJson(r.body()).path("events").forEach(e -> out.add(e.path("event").asText("")
                    + ":" + e.path("properties").path("segmentName").asText("")));
        }
        return out;
    }

    private List<String> segmentsOf(String user) {
        List<String> out = new ArrayList<>();
        HttpResponse<String> r = adminGet("/api/v1/profiles/user_id/" + user);
        if (r.statusCode() == 200) {
            readJson(r.body()).path("segments").forEach(s -> out.add(s.path("name").asText()));
        }
        return out;
    }

    /** The segment's members as the stage keeps them, from {@code GET /api/v1/segments/counts} (the console's list). */
    private long storedCount(long id) {
        JsonNode counts = readJson(adminGet("/api/v1/segments/counts").body());
        assertThat(counts.has(Long.toString(id))).as(counts.toString()).isTrue();
        return counts.path(Long.toString(id)).asLong();
    }

    @Test
    void aPersonEntersTheAbandonedCartSegmentWhenTheHourPassesWithNoOrder() {
        String name = "Abandoned " + run;
        String cid = "cid-" + run;
        long id = createSegment(name, "{\"all\": [{\"identity\": \"user_id\"}, {\"event\": \"cart_" + run + "\", \"within\": \"1d\", "
                + "\"notFollowedBy\": {\"event\": \"order_" + run + "\", \"within\": \"1m\"}}]}");
        // The cart was filled 40 s ago: the one-minute window closes in about 20 s, with no new event to trigger anything.
        Instant cart = Instant.now().minusSeconds(40).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        intake.submit(List.of(Event.track("cart_" + run).userId(cid).messageId("cart-" + cid).timestamp(cart).build()));
        await().atMost(Duration.ofSeconds(20)).until(() -> adminGet("/api/v1/profiles/user_id/" + cid).statusCode() == 200);
        assertThat(segmentsOf(cid)).isEmpty();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(segmentsOf(cid)).containsExactly(name);
            assertThat(history(cid)).contains("segment_entered:" + name);
        });
        // At the moment the window closed (the person's wake-up), not at the next recompute of everyone (an hour here).
        Instant entered = jdbc.queryForObject("SELECT entered_at FROM segment_members WHERE segment_id = ?", java.sql.Timestamp.class, id)
                .toInstant();
        assertThat(entered).isAfterOrEqualTo(cart.plusSeconds(60)).isBefore(cart.plusSeconds(63));
    }

    @Test
    void aPersonLeavesAWindowedSegmentWhenTheirEventLeavesTheWindow() {
        String name = "Visited lately " + run;
        String vid = "vid-" + run;
        long id = createSegment(name, "{\"event\": \"visit_" + run + "\", \"within\": \"1m\"}");
        Instant visit = Instant.now().minusSeconds(45).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        intake.submit(List.of(Event.track("visit_" + run).userId(vid).messageId("visit-" + vid).timestamp(visit).build()));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(segmentsOf(vid)).containsExactly(name));
        assertThat(jdbc.queryForObject("SELECT wake_at FROM segment_wakeups WHERE segment_id = ?", java.sql.Timestamp.class, id)
                .toInstant()).isEqualTo(visit.plusSeconds(60));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            assertThat(segmentsOf(vid)).isEmpty();
            assertThat(history(vid)).contains("segment_exited:" + name);
        });
        assertThat(Instant.now()).isAfter(visit.plusSeconds(60));
        // Nothing is left to wait for (a moment within the last second of a re-check is checked once more, then dropped).
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject("SELECT count(*) FROM segment_wakeups WHERE segment_id = ?",
                Long.class, id) == 0);
        assertThat(segmentsOf(vid)).isEmpty();
    }

    @Test
    void peopleEnterAndLeaveASegmentAsTheirDataChanges() {
        String name = "In Kyiv " + run;
        String ann = "ann-" + run;
        String bob = "bob-" + run;
        // ann is in Kyiv before the segment exists: computing the new segment finds her.
        identify(ann, "Kyiv", Instant.now().minusSeconds(60));
        await().atMost(Duration.ofSeconds(20)).until(() -> adminGet("/api/v1/profiles/user_id/" + ann).statusCode() == 200);
        long id = createSegment(name, "{\"all\": [{\"trait\": \"run\", \"op\": \"eq\", \"value\": \"" + run + "\"}, "
                + "{\"trait\": \"city\", \"op\": \"eq\", \"value\": \"Kyiv\"}]}");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(segmentsOf(ann)).containsExactly(name);
            assertThat(history(ann)).contains("segment_entered:" + name);
        });
        assertThat(storedCount(id)).isEqualTo(1);

        // bob moves to Kyiv: he enters in real time; then to Lviv: he leaves.
        identify(bob, "Lviv", Instant.now().minusSeconds(30));
        await().atMost(Duration.ofSeconds(20)).until(() -> adminGet("/api/v1/profiles/user_id/" + bob).statusCode() == 200);
        assertThat(segmentsOf(bob)).isEmpty();
        identify(bob, "Kyiv", Instant.now().minusSeconds(20));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(segmentsOf(bob)).containsExactly(name);
            assertThat(history(bob)).contains("segment_entered:" + name);
        });
        assertThat(storedCount(id)).isEqualTo(2);
        identify(bob, "Lviv", Instant.now().minusSeconds(10));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(segmentsOf(bob)).isEmpty();
            assertThat(history(bob)).contains("segment_exited:" + name);
        });
        assertThat(storedCount(id)).isEqualTo(1);

        // An erased person is in no segment.
        assertThat(send(HttpRequest.newBuilder(uri("/api/v1/profiles/user_id/" + ann)).header("Authorization", "Bearer " + TOKEN)
                .DELETE().build()).statusCode()).isEqualTo(204);
        assertThat(readJson(adminGet("/api/v1/segments/" + id + "/members").body()).path("total").asLong()).isZero();
        assertThat(storedCount(id)).isZero();
    }
}
