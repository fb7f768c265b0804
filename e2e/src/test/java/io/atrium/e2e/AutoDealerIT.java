package io.atrium.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;

import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The auto dealer, end to end through the unpacked distribution and its bundled plugins, each
 * configured by its file and talking to a real peer on loopback: a call-back form on the dealer's
 * site (sent as the web tracker sends it) makes a profile and starts a welcome e-mail; the CRM's
 * contact webhook (the shipped route) gives the person their crm_id; the ERP reports the car
 * order's status changes through the erp plugin's webhook, and "ready" sends a transactional
 * notification by e-mail (GreenMail; not opened), then Viber (a WireMock speaking the Viber REST
 * API), then SMS (a Kannel-style HTTP gateway); the person enters the segment "ready for a test
 * drive" and the CRM (a WireMock speaking HubSpot CRM v3) gets a task for the sales manager.
 */
class AutoDealerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String ERP_TOKEN = "erp-webhook-token-0123456789";
    private static final String CRM_TOKEN = "crm-contact-token-0123456789";

    @TempDir
    static Path dir;
    @RegisterExtension
    static final HubFixture fixture = new HubFixture();
    static WireMockServer peer;
    static Hub hub;

    @BeforeAll
    static void start() throws Exception {
        fixture.startSmtp();
        peer = fixture.startHttpPeer();
        // Viber REST API.
        peer.stubFor(post(urlEqualTo("/pa/send_message")).withHeader("X-Viber-Auth-Token", equalTo("viber-token-0123456789"))
                .willReturn(okJson("{\"status\":0,\"status_message\":\"ok\",\"message_token\":5491823457109842311}")));
        // A Kannel-style SMS gateway.
        peer.stubFor(get(urlPathEqualTo("/cgi-bin/sendsms")).willReturn(aResponse().withStatus(202).withBody("0: Accepted for delivery")));
        // HubSpot CRM v3: the access check at start, the contact, the task.
        peer.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts")).willReturn(okJson("{\"results\":[]}")));
        peer.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts/901")).willReturn(okJson(
                "{\"id\":\"901\",\"properties\":{\"email\":\"olena@example.com\"},\"createdAt\":\"2026-12-01T10:00:00Z\","
                        + "\"updatedAt\":\"2026-12-01T10:00:00Z\",\"archived\":false}")));
        peer.stubFor(post(urlEqualTo("/crm/v3/objects/tasks")).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{\"id\":\"7001\",\"properties\":{},"
                        + "\"createdAt\":\"2026-12-01T10:00:00Z\",\"updatedAt\":\"2026-12-01T10:00:00Z\",\"archived\":false}")));

        hub = fixture.startHub(dir, Map.of("CRM_WEBHOOK_TOKEN", CRM_TOKEN));
        fixture.configureEmail(hub, "sales@dealer.example", "Dealer");
        fixture.configureViber(hub, "viber-token-0123456789", "Dealer", "register-webhook: false");
        hub.configurePlugin("sms", """
                mode: http
                http-url: "http://127.0.0.1:%d/cgi-bin/sendsms?username=dealer&from={from}&to={to}&text={text}&dlr-mask=31&dlr-url={dlrUrl}"
                http-accepted-status: "202"
                source-address: DEALER
                callback-token: sms-callback-token-0123456789
                """.formatted(peer.port()));
        hub.configurePlugin("erp", """
                sources: [webhook]
                webhook:
                  path: /hooks/erp
                  token: %s
                mapping:
                  event:
                    - order_created when status = new
                    - order_status_changed
                  identities:
                    erp_id: customer_id
                    email: email?
                    phone: phone?
                  properties:
                    - order_id
                    - status
                    - model?
                  timestamp: updated_at
                  message-id: [order_id, status, updated_at]
                """.formatted(ERP_TOKEN));
        hub.configurePlugin("crm", """
                mode: hubspot
                api-url: http://127.0.0.1:%d
                access-token: hubspot-token-0123456789
                poll-objects: []
                task-owner-id: "77"
                """.formatted(peer.port()));
        Plugins.awaitStarted(hub, WAIT, "email", "viber", "sms");
        for (String plugin : List.of("erp", "crm")) { // connectors: erp has no channel, crm's is crm-task
            Plugins.awaitConnectorStarted(hub, plugin, WAIT);
        }
    }

    private static HttpResponse<String> admin(String method, String path, String body) {
        HttpResponse<String> r = hub.admin(method, path, body);
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isLessThan(300);
        return r;
    }

    private static long json(HttpResponse<String> r, String field) throws Exception {
        return Hub.JSON.readTree(r.body()).path(field).asLong();
    }

    private static void template(String id, String channel, String subject, String text) {
        admin("POST", "/api/v1/templates", "{\"id\": \"" + id + "\", \"channel\": \"" + channel + "\", "
                + (subject == null ? "" : "\"subject\": \"" + subject + "\", ") + "\"text\": \"" + text + "\", "
                + "\"defaults\": {\"traits.first_name\": \"there\"}}");
    }

    private static List<String> trace(String campaign, String profile) throws Exception {
        List<String> out = new ArrayList<>();
        JsonNode t = hub.getJson("/api/v1/campaigns/" + campaign + "/trace?profile=" + profile);
        t.path("journeys").forEach(j -> j.path("log").forEach(l -> out.add(l.path("kind").asText()
                + (l.path("channel").isTextual() ? ":" + l.path("channel").asText() : ""))));
        return out;
    }

    @Test
    void aCallBackRequestBecomesACustomerWhoseCarOrderIsFollowedToATestDrive() throws Exception {
        // The dealer's marketing sets up: templates, the segment, three campaigns.
        template("welcome", "email", "Welcome to the dealer, {{traits.first_name}}", "We will call you back shortly.");
        template("ready-email", "email", "Your car is ready", "Hello {{traits.first_name}}, your {{event.model}} is ready.");
        template("ready-viber", "viber", null, "Your {{event.model}} is ready for pick-up.");
        template("ready-sms", "sms", null, "Your car is ready. Dealer");
        template("test-drive-task", "crm-task", "Call {{traits.first_name}}: test drive", "The car is ready; book a test drive.");
        long segment = json(admin("POST", "/api/v1/segments", "{\"name\": \"Ready for a test drive\", \"rule\": "
                + "{\"event\": \"order_status_changed\", \"where\": [{\"property\": \"status\", \"op\": \"eq\", \"value\": \"ready\"}]}}"), "id");
        admin("POST", "/api/v1/campaigns", "{\"id\": \"welcome\", \"name\": \"Welcome\", \"purpose\": \"transactional\", "
                + "\"trigger\": {\"type\": \"event\", \"event\": \"callback_requested\"}, "
                + "\"steps\": [{\"id\": \"hello\", \"type\": \"send\", \"channel\": \"email\", \"template\": \"welcome\"}]}");
        admin("POST", "/api/v1/campaigns", "{\"id\": \"order-ready\", \"name\": \"Order ready\", \"purpose\": \"transactional\", "
                + "\"trigger\": {\"type\": \"event\", \"event\": \"order_status_changed\", \"where\": {\"status\": \"ready\"}}, "
                + "\"steps\": [{\"id\": \"notify\", \"type\": \"cascade\", \"channels\": ["
                + "{\"channel\": \"email\", \"template\": \"ready-email\", \"until\": \"opened\", \"within\": \"4s\"},"
                + "{\"channel\": \"viber\", \"template\": \"ready-viber\", \"until\": \"opened\", \"within\": \"4s\"},"
                + "{\"channel\": \"sms\", \"template\": \"ready-sms\"}]}]}");
        admin("POST", "/api/v1/campaigns", "{\"id\": \"test-drive\", \"name\": \"Test drive\", \"purpose\": \"transactional\", "
                + "\"trigger\": {\"type\": \"segment_entered\", \"segment\": " + segment + "}, "
                + "\"steps\": [{\"id\": \"task\", \"type\": \"send\", \"channel\": \"crm-task\", \"template\": \"test-drive-task\"}]}");
        for (String c : List.of("welcome", "order-ready", "test-drive")) {
            admin("POST", "/api/v1/campaigns/" + c + "/launch", "");
        }

        // 1. The call-back form, as atrium.js sends it: an identify with the form's fields, then the event.
        String key = hub.createSource("dealer-site");
        String auth = "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes());
        String anon = "anon-olena";
        for (String body : List.of(
                "{\"type\": \"identify\", \"anonymousId\": \"" + anon + "\", \"traits\": {\"email\": \"olena@example.com\", "
                        + "\"phone\": \"+380671234567\", \"first_name\": \"Olena\"}, \"identities\": {\"viber_id\": \"olena-viber\"}}",
                "{\"type\": \"track\", \"anonymousId\": \"" + anon + "\", \"event\": \"callback_requested\", "
                        + "\"properties\": {\"model\": \"Crossover X\"}}")) {
            HttpResponse<String> r = hub.send(HttpRequest.newBuilder(hub.uri("/v1/batch")).header("Authorization", auth)
                    .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("{\"batch\": [" + body + "]}")).build());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        await().atMost(WAIT).untilAsserted(() -> assertThat(fixture.mailTo("olena@example.com")).hasSize(1));
        assertThat(fixture.mailTo("olena@example.com").get(0).getSubject()).isEqualTo("Welcome to the dealer, Olena");

        // 2. The CRM's contact webhook (the shipped route) gives her the CRM id.
        HttpResponse<String> crm = hub.send(HttpRequest.newBuilder(hub.uri("/hooks/crm-contact?token=" + CRM_TOKEN))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"id\": \"901\", \"email\": \"olena@example.com\", \"firstName\": \"Olena\", \"updatedAt\": \"2026-12-01T10:00:00Z\"}")).build());
        assertThat(crm.statusCode()).as(crm.body()).isEqualTo(202);
        await().atMost(WAIT).untilAsserted(() -> assertThat(hub.getJson("/api/v1/profiles/crm_id/901").path("identities").toString())
                .contains("olena@example.com", "anon-olena", "olena-viber"));

        // 3. The ERP reports the car order: created, then ready.
        for (String status : List.of("new", "ready")) {
            HttpResponse<String> erp = hub.send(HttpRequest.newBuilder(hub.uri("/hooks/erp?token=" + ERP_TOKEN))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"order_id\": \"SO-17\", \"customer_id\": \"C-501\", \"email\": \"olena@example.com\", \"status\": \""
                                    + status + "\", \"model\": \"Crossover X\", \"updated_at\": \"" + Instant.now() + "\"}")).build());
            assertThat(erp.statusCode()).as(erp.body()).isEqualTo(202);
        }

        // The ready notification: e-mail first, not opened within 4 s, then Viber, not read, then SMS.
        await().atMost(WAIT).untilAsserted(() -> assertThat(fixture.mailTo("olena@example.com")).extracting(MimeMessage::getSubject)
                .contains("Your car is ready"));
        await().atMost(WAIT).untilAsserted(() -> peer.verify(postRequestedFor(urlEqualTo("/pa/send_message"))
                .withRequestBody(matchingJsonPath("$.receiver", equalTo("olena-viber")))
                .withRequestBody(matchingJsonPath("$.text", equalTo("Your Crossover X is ready for pick-up.")))));
        await().atMost(WAIT).untilAsserted(() -> peer.verify(getRequestedFor(urlPathEqualTo("/cgi-bin/sendsms"))
                .withQueryParam("to", equalTo("+380671234567")).withQueryParam("text", equalTo("Your car is ready. Dealer"))));
        assertThat(trace("order-ready", "crm_id:901")).containsSubsequence("entered", "sent:email", "fell_back:email", "sent:viber",
                "fell_back:viber", "sent:sms", "exited");

        // 4. She is in "ready for a test drive", and the sales manager has a task in the CRM.
        await().atMost(WAIT).untilAsserted(() -> peer.verify(postRequestedFor(urlEqualTo("/crm/v3/objects/tasks"))
                .withRequestBody(matchingJsonPath("$.properties.hs_task_subject", equalTo("Call Olena: test drive")))
                .withRequestBody(matchingJsonPath("$.properties.hubspot_owner_id", equalTo("77")))));
        assertThat(hub.getJson("/api/v1/profiles/crm_id/901").path("segments").toString()).contains("Ready for a test drive");
        assertThat(trace("test-drive", "crm_id:901")).containsSubsequence("entered", "sent:crm-task", "exited");

        // Her history tells the whole story.
        String history = hub.getJson("/api/v1/profiles/crm_id/901/events?size=200").toString();
        assertThat(history).contains("callback_requested", "order_created", "order_status_changed", "segment_entered",
                "message_sent");
        JsonNode messages = hub.getJson("/api/v1/messages?profile=crm_id:901");
        List<String> channels = new ArrayList<>();
        messages.path("messages").forEach(m -> channels.add(m.path("channel").asText()));
        assertThat(channels).contains("email", "viber", "sms", "crm-task");
    }
}
