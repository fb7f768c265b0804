package io.atrium.server.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.atrium.plugin.api.Event;
import io.atrium.server.support.HubTestSupport;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** A YAML route that follows segment entries (atrium:segment-events), as a CRM sync would. */
class SegmentEventsRouteIT extends HubTestSupport {

    @Autowired
    EventIntake intake;

    @Test
    void aRouteReceivesEachEntryWithThePersonsIdentities() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Path out = Files.createTempDirectory("segment-events");
        HttpResponse<String> seg = send(HttpRequest.newBuilder(uri("/api/v1/segments")).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"name\": \"vip-" + run + "\", \"rule\": {\"trait\": \"tier\", \"op\": \"eq\", \"value\": \"vip-" + run + "\"}}")).build());
        assertThat(seg.statusCode()).as(seg.body()).isEqualTo(201);
        long segmentId = readJson(seg.body()).path("id").asLong();
        writeAtomically(ROUTES.resolve("follow-" + run + ".yaml"), """
                - route:
                    id: follow-%s
                    from:
                      uri: atrium:segment-events?subscription=follow-%s&type=entered&segment=%d
                      steps:
                        - marshal:
                            json: {}
                        - to: file:%s?fileName=${exchangeId}.json
                """.formatted(run, run, segmentId, out));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(routes()).anySatisfy(r -> {
            assertThat(r.get("id")).isEqualTo("follow-" + run);
            assertThat(r.get("state")).isEqualTo("STARTED");
        }));
        intake.submit(List.of(Event.identify().userId("vip-" + run).messageId("vip-" + run).trait("tier", "vip-" + run)
                .trait("email", "vip-" + run + "@example.com").build()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            try (var files = Files.list(out)) {
                List<String> bodies = files.map(f -> {
                    try {
                        return Files.readString(f);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).toList();
                assertThat(bodies).singleElement().asString().contains("\"type\":\"entered\"", "\"segmentId\":" + segmentId,
                        "\"email\":\"vip-" + run + "@example.com\"", "\"user_id\":\"vip-" + run + "\"");
            }
        });
    }

    @Test
    void aRouteWithoutASubscriptionNameIsReportedWithItsFile() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        writeAtomically(ROUTES.resolve("nameless-" + run + ".yaml"), """
                - route:
                    id: nameless-%s
                    from:
                      uri: atrium:segment-events
                      steps:
                        - log: "${body}"
                """.formatted(run));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(routes()).anySatisfy(r -> {
            assertThat(String.valueOf(r.get("file"))).contains("nameless-" + run + ".yaml");
            assertThat(String.valueOf(r.get("error"))).contains("subscription");
        }));
    }
}
