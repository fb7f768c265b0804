package io.atrium.server.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.plugin.api.Event;
import io.atrium.server.intake.EventIntake;
import io.atrium.server.support.HubTestSupport;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Members and counts of segments, computed by the SQL the rule compiles to, over people built
 * through the real intake and profile stage. Every rule includes this run's own trait so that
 * other tests' people sharing the database never count.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SegmentMembersIT extends HubTestSupport {

    @Autowired
    EventIntake intake;

    @Autowired
    JdbcTemplate jdbc;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final Instant now = Instant.now();

    private Event identify(String user, Map<String, Object> traits, Instant at) {
        return Event.identify().userId(user + "-" + run).messageId("id-" + user + "-" + run).timestamp(at)
                .traits(traits).trait("run", run).build();
    }

    private Event track(String user, String name, Map<String, Object> props, Instant at, String id) {
        return Event.track(name).userId(user + "-" + run).messageId(id + "-" + run).timestamp(at).properties(props).build();
    }

    @BeforeAll
    void people() {
        List<Event> events = new ArrayList<>();
        // ann: Kyiv, born on a day 3 days from now, abandoned a big cart 3 hours ago, marketing e-mail consent
        events.add(identify("ann", Map.of("city", "Kyiv", "plan", "gold", "birthday",
                java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(3).minusYears(30).toString(),
                "consents", Map.of("email", Map.of("marketing", true))), now.minus(10, ChronoUnit.DAYS)));
        events.add(track("ann", "added_to_cart", Map.of("total", 65000), now.minus(3, ChronoUnit.HOURS), "ann-cart"));
        // bob: Lviv, put a big cart and ordered 20 minutes later
        events.add(identify("bob", Map.of("city", "Lviv"), now.minus(10, ChronoUnit.DAYS)));
        events.add(track("bob", "added_to_cart", Map.of("total", 70000), now.minus(5, ChronoUnit.HOURS), "bob-cart"));
        events.add(track("bob", "order_completed", Map.of("total", 70000), now.minus(5, ChronoUnit.HOURS).plus(20, ChronoUnit.MINUTES), "bob-order"));
        // cid: Kyiv, a small cart 10 minutes ago (the hour has not passed), three page views this week
        events.add(identify("cid", Map.of("city", "Kyiv", "plan", "free"), now.minus(10, ChronoUnit.DAYS)));
        events.add(track("cid", "added_to_cart", Map.of("total", 900), now.minus(10, ChronoUnit.MINUTES), "cid-cart"));
        for (int i = 0; i < 3; i++) {
            events.add(Event.ofType("page").name("Home").userId("cid-" + run).messageId("cid-page-" + i + "-" + run)
                    .timestamp(now.minus(i + 1, ChronoUnit.DAYS)).build());
        }
        intake.submit(events);
        String[] ids = events.stream().map(e -> e.messageId()).toArray(String[]::new);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                jdbc.queryForObject("SELECT count(*) FROM events WHERE message_id = ANY(?)", Long.class, (Object) ids) == ids.length);
    }

    private String mine(String rule) {
        return "{\"all\": [{\"trait\": \"run\", \"op\": \"eq\", \"value\": \"" + run + "\"}, " + rule + "]}";
    }

    private long preview(String rule) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/api/v1/segments/preview")).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"rule\": " + mine(rule) + "}")).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return readJson(r.body()).path("count").asLong();
    }

    @Test
    void traitsIdentitiesAndConsentsSelectTheRightPeople() {
        assertThat(preview("{\"trait\": \"city\", \"op\": \"eq\", \"value\": \"Kyiv\"}")).isEqualTo(2);
        assertThat(preview("{\"trait\": \"city\", \"op\": \"in\", \"value\": [\"Lviv\", \"Odesa\"]}")).isEqualTo(1);
        assertThat(preview("{\"trait\": \"plan\", \"op\": \"exists\"}")).isEqualTo(2);
        assertThat(preview("{\"not\": {\"trait\": \"plan\", \"op\": \"exists\"}}")).isEqualTo(1);
        assertThat(preview("{\"trait\": \"birthday\", \"op\": \"anniversary_within\", \"value\": \"7d\"}")).isEqualTo(1);
        assertThat(preview("{\"consent\": {\"channel\": \"email\", \"purpose\": \"marketing\"}}")).isEqualTo(1);
        assertThat(preview("{\"identity\": \"user_id\"}")).isEqualTo(3);
        assertThat(preview("{\"any\": [{\"trait\": \"city\", \"op\": \"eq\", \"value\": \"Lviv\"}, {\"trait\": \"plan\", \"op\": \"eq\", \"value\": \"gold\"}]}"))
                .isEqualTo(2);
    }

    @Test
    void eventConditionsCountWindowsAndTheAbandonedCart() {
        assertThat(preview("{\"event\": \"added_to_cart\"}")).isEqualTo(3);
        assertThat(preview("{\"event\": \"added_to_cart\", \"where\": [{\"property\": \"total\", \"op\": \"gt\", \"value\": 50000}]}"))
                .isEqualTo(2);
        assertThat(preview("{\"event\": \"page\", \"count\": {\"atLeast\": 3}, \"within\": \"7d\"}")).isEqualTo(1);
        assertThat(preview("{\"event\": \"page\", \"count\": {\"atLeast\": 3}, \"within\": \"2d\"}")).isZero();
        assertThat(preview("{\"event\": \"order_completed\", \"count\": {\"atMost\": 0}}")).isEqualTo(2);
        assertThat(preview("{\"event\": \"added_to_cart\", \"followedBy\": {\"event\": \"order_completed\", \"within\": \"1h\"}}"))
                .isEqualTo(1);
        // The abandoned cart: ann only — bob ordered within the hour, cid's hour has not passed yet.
        String abandoned = "{\"event\": \"added_to_cart\", \"within\": \"24h\", \"notFollowedBy\": {\"event\": \"order_completed\", \"within\": \"1h\"}}";
        assertThat(preview(abandoned)).isEqualTo(1);
    }

    @Test
    void aSavedSegmentListsItsMembersAndOtherSegmentsCanUseIt() {
        String name = "Kyiv " + run;
        HttpResponse<String> created = send(HttpRequest.newBuilder(uri("/api/v1/segments")).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"name\": \"" + name + "\", \"rule\": " + mine("{\"trait\": \"city\", \"op\": \"eq\", \"value\": \"Kyiv\"}") + "}"))
                .build());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        long id = readJson(created.body()).path("id").asLong();

        JsonNode page = readJson(adminGet("/api/v1/segments/" + id + "/members?size=1").body());
        assertThat(page.path("total").asLong()).isEqualTo(2);
        assertThat(page.path("members")).hasSize(1);
        assertThat(page.path("members").get(0).path("identities").toString()).contains("user_id");
        JsonNode second = readJson(adminGet("/api/v1/segments/" + id + "/members?size=1&page=1").body());
        assertThat(second.path("members").get(0).path("profileId").asLong())
                .isNotEqualTo(page.path("members").get(0).path("profileId").asLong());
        assertThat(adminGet("/api/v1/segments/" + id + "/members?size=5000").statusCode()).isEqualTo(400);

        assertThat(preview("{\"all\": [{\"segment\": \"" + name + "\"}, {\"event\": \"added_to_cart\", \"where\": "
                + "[{\"property\": \"total\", \"op\": \"lt\", \"value\": 1000}]}]}")).isEqualTo(1);
    }
}
