package io.atrium.server.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.server.support.HubTestSupport;

import org.junit.jupiter.api.Test;

/**
 * The example routes shipped in routes/ run as shipped: each file is copied unchanged into the
 * hub's routes folder and fed the way its header says.
 */
class ShippedRoutesIT extends HubTestSupport {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path SHIPPED = Path.of("../routes").toAbsolutePath().normalize();

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    private void install(String file) throws Exception {
        writeAtomically(ROUTES.resolve(file), Files.readString(SHIPPED.resolve(file)));
        String id = file.replace(".yaml", "");
        await().atMost(WAIT).untilAsserted(() -> assertThat(routes()).anySatisfy(r -> {
            assertThat(r.get("id")).isEqualTo(id);
            assertThat(r.get("state")).as(String.valueOf(r)).isEqualTo("STARTED");
        }));
    }

    private JsonNode profile(String idType, String idValue) {
        HttpResponse<String> r = adminGet("/api/v1/profiles/" + idType + "/" + idValue);
        return r.statusCode() == 200 ? readJson(r.body()) : null;
    }

    private String events(String idType, String idValue) {
        return adminGet("/api/v1/profiles/" + idType + "/" + idValue + "/events?size=100").body();
    }

    @Test
    void anErpStatusFileBecomesOrderEventsAndIsArchived() throws Exception {
        install("erp-order-status-files.yaml");
        Path inbox = HOME.resolve("inbox/erp-orders");
        Files.createDirectories(inbox);
        Files.writeString(inbox.resolve("orders-" + run + ".csv"), """
                order_id,customer_id,email,status,total,changed_at
                A-1-%1$s,C-%1$s,erp-%1$s@example.com,packing,52000,2026-12-01T10:00:00Z
                A-1-%1$s,C-%1$s,,ready,52000,2026-12-01T10:15:00Z
                """.formatted(run));
        await().atMost(WAIT).untilAsserted(() -> {
            String events = events("erp_id", "C-" + run);
            assertThat(events).contains("\"event\":\"order_status_changed\"", "\"status\":\"ready\"", "\"status\":\"packing\"",
                    "\"total\":52000");
        });
        assertThat(profile("email", "erp-" + run + "@example.com").path("identities").toString()).contains("C-" + run);
        await().atMost(WAIT).until(() -> Files.exists(inbox.resolve(".archive/orders-" + run + ".csv")));
    }

    @Test
    void aCrmWebhookIdentifiesTheContactAndRefusesStrangers() throws Exception {
        install("crm-webhook-identify.yaml");
        String body = "{\"id\": \"9" + run.hashCode() + "\", \"email\": \"crm-" + run + "@example.com\", \"phone\": \"+380671112233\", "
                + "\"firstName\": \"Olena\", \"lastName\": \"Koval\", \"updatedAt\": \"2026-12-01T10:00:00Z\"}";
        HttpResponse<String> stranger = send(HttpRequest.newBuilder(uri("/hooks/crm-contact?token=nope"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(stranger.statusCode()).isEqualTo(401);
        HttpResponse<String> bad = send(HttpRequest.newBuilder(uri("/hooks/crm-contact?token=test-crm-token"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"email\": \"x@example.com\"}")).build());
        assertThat(bad.statusCode()).as(bad.body()).isEqualTo(400);
        HttpResponse<String> ok = send(HttpRequest.newBuilder(uri("/hooks/crm-contact?token=test-crm-token"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(202);
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode p = profile("email", "crm-" + run + "@example.com");
            assertThat(p).isNotNull();
            assertThat(p.path("identities").toString()).contains("crm_id", "+380671112233");
            assertThat(p.path("traits").path("first_name").path("value").asText(p.path("traits").path("first_name").asText()))
                    .isEqualTo("Olena");
        });
    }

    @Test
    void aNightlyImportWaitingForItsHourLeavesTheHubHealthy() throws Exception {
        writeAtomically(ROUTES.resolve("customer-import-nightly.yaml"), Files.readString(SHIPPED.resolve("customer-import-nightly.yaml"))
                .replace("{{customers.import.cron:0 0 2 * * *}}", "0 0 2 * * *").replace("customer-import-nightly", "import-at-two"));
        await().atMost(WAIT).untilAsserted(() -> assertThat(routes()).anySatisfy(r -> {
            assertThat(r.get("id")).isEqualTo("import-at-two");
            assertThat(r.get("state")).isEqualTo("STARTED");
        }));
        await().atMost(WAIT).untilAsserted(() -> {
            HttpResponse<String> health = get("/actuator/health");
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            assertThat(readJson(health.body()).path("status").asText()).isEqualTo("UP");
        });
    }

    @Test
    void theNightlyImportTakesGoodRowsAndReportsTheRejectedOnes() throws Exception {
        install("customer-import-nightly.yaml");
        Path inbox = HOME.resolve("inbox/customers");
        Files.createDirectories(inbox);
        StringBuilder csv = new StringBuilder("customer_id,email,phone,first_name,last_name,city,updated_at\n");
        for (int i = 0; i < 1203; i++) {
            if (i == 7) {
                csv.append(",nobody-").append(run).append("@example.com,,No,Id,Lviv,2026-11-30T18:00:00Z\n");
            } else if (i == 1100) {
                csv.append("K-").append(run).append("-").append(i).append(",,,No,Contact,Lviv,2026-11-30T18:00:00Z\n");
            } else {
                csv.append("K-").append(run).append("-").append(i).append(",imp-").append(i).append("-").append(run)
                        .append("@example.com,,Name").append(i).append(",Surname,Kyiv,2026-11-30T18:00:00Z\n");
            }
        }
        Files.writeString(inbox.resolve("customers-" + run + ".csv"), csv);
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(inbox.resolve(".archive/customers-" + run + ".csv")));
        Path report = inbox.resolve(".rejected/customers-" + run + ".csv.rejected.jsonl");
        assertThat(report).exists();
        List<String> rejected = Files.readAllLines(report);
        assertThat(rejected).hasSize(2);
        assertThat(rejected.get(0)).contains("\"line\":9", "customer_id is empty", "customers-" + run + ".csv");
        assertThat(rejected.get(1)).contains("\"line\":1102", "neither email nor phone");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(profile("erp_id", "K-" + run + "-0")).isNotNull();
            assertThat(profile("erp_id", "K-" + run + "-1202")).isNotNull();
            assertThat(profile("email", "imp-600-" + run + "@example.com")).isNotNull();
        });
        assertThat(profile("erp_id", "K-" + run + "-1100")).isNull();
    }
}
