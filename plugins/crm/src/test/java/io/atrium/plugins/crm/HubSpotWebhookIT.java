package io.atrium.plugins.crm;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.plugin.testkit.TestConnectorContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HubSpot's signed webhooks: checked, then the objects they name read and handed to the hub. */
class HubSpotWebhookIT {

    static final String CONTACT_CHANGE = """
            [{"eventId": 1001, "subscriptionId": 25, "portalId": 62515, "appId": 1160452, "occurredAt": %d,
              "subscriptionType": "contact.propertyChange", "attemptNumber": 0, "objectId": 901,
              "changeSource": "CRM_UI", "propertyName": "firstname", "propertyValue": "Ann"}]""";

    FakeHubSpot hubspot;
    TestConnectorContext ctx;

    @BeforeEach
    void setUp() throws Exception {
        hubspot = new FakeHubSpot();
        Map<String, Object> c = new HashMap<>();
        c.put("access-token", FakeHubSpot.TOKEN);
        c.put("client-secret", FakeHubSpot.CLIENT_SECRET);
        c.put("api-url", hubspot.apiUrl());
        c.put("poll-objects", List.of());
        c.put("request-timeout", "2s");
        ctx = TestConnectorContext.forPlugin("crm", c);
        ctx.start(new CrmConnector());
        hubspot.server.resetRequests();
    }

    @AfterEach
    void tearDown() throws Exception {
        ctx.close();
        hubspot.close();
    }

    String hook() {
        return ctx.httpUrl() + "/hooks/crm";
    }

    void stubBatch(String type, String answer) {
        hubspot.server.stubFor(post(urlEqualTo("/crm/v3/objects/" + type + "/batch/read")).atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + FakeHubSpot.TOKEN)).willReturn(okJson(answer)));
    }

    @Test
    void aSignedContactChangeIsReadFromHubSpotAndBecomesAnIdentify() throws Exception {
        stubBatch("contacts", FakeHubSpot.batchAnswer(
                FakeHubSpot.contact("901", "ann@example.com", "Ann", "Shevchenko", "2025-02-01T10:00:00.000Z")));
        long now = System.currentTimeMillis();
        HttpResponse<String> r = FakeHubSpot.postWebhook(hook(), CONTACT_CHANGE.formatted(now), FakeHubSpot.CLIENT_SECRET, now);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(ctx.submittedEvents()).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("identify");
            assertThat(e.identities()).containsEntry("crm_id", "901").containsEntry("email", "ann@example.com");
            assertThat(e.traits()).containsEntry("first_name", "Ann").containsEntry("last_name", "Shevchenko");
        });
        JsonNode read = hubspot.bodies("POST", "/crm/v3/objects/contacts/batch/read").get(0);
        assertThat(read.path("inputs").toString()).isEqualTo("[{\"id\":\"901\"}]");
        assertThat(read.path("properties")).extracting(JsonNode::asText).contains("email", "firstname", "lastmodifieddate");
    }

    @Test
    void aDealStageChangeIsADealStageChangedEventOnItsContact() throws Exception {
        stubBatch("deals", FakeHubSpot.batchAnswer(FakeHubSpot.deal("5001", "closedwon", "900", "2024-11-01T00:00:00.000Z",
                "2025-02-05T16:00:00.000Z")));
        hubspot.server.stubFor(post(urlEqualTo("/crm/v4/associations/deals/contacts/batch/read")).atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + FakeHubSpot.TOKEN))
                .willReturn(okJson(FakeHubSpot.associationsAnswer(Map.of("5001", List.of(901L))))));
        stubBatch("contacts", FakeHubSpot.batchAnswer(
                FakeHubSpot.contact("901", "ann@example.com", "Ann", "S", "2025-01-01T00:00:00.000Z")));
        long now = System.currentTimeMillis();
        String body = """
                [{"eventId": 2001, "subscriptionId": 26, "portalId": 62515, "appId": 1160452, "occurredAt": %d,
                  "subscriptionType": "deal.propertyChange", "attemptNumber": 0, "objectId": 5001,
                  "changeSource": "CRM_UI", "propertyName": "dealstage", "propertyValue": "closedwon"},
                 {"eventId": 2002, "subscriptionId": 27, "portalId": 62515, "appId": 1160452, "occurredAt": %d,
                  "subscriptionType": "deal.propertyChange", "attemptNumber": 0, "objectId": 5001,
                  "changeSource": "CRM_UI", "propertyName": "amount", "propertyValue": "900"}]""".formatted(now, now);
        assertThat(FakeHubSpot.postWebhook(hook(), body, FakeHubSpot.CLIENT_SECRET, now).statusCode()).isEqualTo(200);
        assertThat(ctx.submittedEvents()).singleElement().satisfies(e -> {
            assertThat(e.event()).isEqualTo("deal_stage_changed");
            assertThat(e.properties()).containsEntry("stage", "closedwon").doesNotContainKey("previous_stage");
            assertThat(e.identities()).containsEntry("crm_id", "901").containsEntry("email", "ann@example.com");
        });
        // One read for the two events of the same deal.
        hubspot.server.verify(1, postRequestedFor(urlEqualTo("/crm/v3/objects/deals/batch/read")));
    }

    @Test
    void aCallNamedByObjectTypeIdIsRead() throws Exception {
        stubBatch("calls", FakeHubSpot.batchAnswer(FakeHubSpot.object("3001", "2025-02-03T09:00:00.000Z",
                "2025-02-03T09:10:00.000Z", Map.of("hs_call_title", "Follow-up", "hs_lastmodifieddate",
                        "2025-02-03T09:10:00.000Z"))));
        hubspot.server.stubFor(post(urlEqualTo("/crm/v4/associations/calls/contacts/batch/read")).atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + FakeHubSpot.TOKEN))
                .willReturn(okJson(FakeHubSpot.associationsAnswer(Map.of("3001", List.of(901L))))));
        stubBatch("contacts", FakeHubSpot.batchAnswer());
        long now = System.currentTimeMillis();
        String body = "[{\"eventId\":3,\"subscriptionType\":\"object.creation\",\"objectTypeId\":\"0-48\","
                + "\"objectId\":3001,\"occurredAt\":" + now + "}]";
        assertThat(FakeHubSpot.postWebhook(hook(), body, FakeHubSpot.CLIENT_SECRET, now).statusCode()).isEqualTo(200);
        assertThat(ctx.submittedEvents()).singleElement().satisfies(e -> {
            assertThat(e.event()).isEqualTo("call_logged");
            assertThat(e.identities()).containsExactly(Map.entry("crm_id", "901"));
        });
    }

    @Test
    void aWrongSignatureIsRefusedWith401AndNothingIsReadOrRecorded() throws Exception {
        long now = System.currentTimeMillis();
        HttpResponse<String> r = FakeHubSpot.postWebhook(hook(), CONTACT_CHANGE.formatted(now), "another-apps-secret", now);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("wrong signature");
        assertThat(ctx.submittedEvents()).isEmpty();
        hubspot.server.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void aSignatureOverAnotherUrlIsWrong() throws Exception {
        long now = System.currentTimeMillis();
        String body = CONTACT_CHANGE.formatted(now);
        String ts = Long.toString(now);
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(hook()))
                .header("X-HubSpot-Signature-v3", FakeHubSpot.sign(FakeHubSpot.CLIENT_SECRET, "POST",
                        "https://elsewhere.example.com/hooks/crm", body, ts))
                .header("X-HubSpot-Request-Timestamp", ts)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(ctx.submittedEvents()).isEmpty();
    }

    @Test
    void aCorrectlySignedRequestOlderThanFiveMinutesIsRefused() throws Exception {
        long old = System.currentTimeMillis() - 6 * 60_000;
        HttpResponse<String> r = FakeHubSpot.postWebhook(hook(), CONTACT_CHANGE.formatted(old), FakeHubSpot.CLIENT_SECRET, old);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("more than 5 minutes old");
        assertThat(ctx.submittedEvents()).isEmpty();
        hubspot.server.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void anUnsignedRequestIsRefused() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(hook()))
                .POST(HttpRequest.BodyPublishers.ofString(CONTACT_CHANGE.formatted(1L))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("missing X-HubSpot-Signature-v3");
    }

    @Test
    void theQueryStringIsPartOfTheSignedUri() throws Exception {
        stubBatch("contacts", FakeHubSpot.batchAnswer(
                FakeHubSpot.contact("901", "ann@example.com", "Ann", "S", "2025-02-01T10:00:00.000Z")));
        long now = System.currentTimeMillis();
        HttpResponse<String> r = FakeHubSpot.postWebhook(hook() + "?portal=62515&tag=a%3Ab",
                CONTACT_CHANGE.formatted(now), FakeHubSpot.CLIENT_SECRET, now);
        // The fake signs the URL as sent; HubSpot decodes %3A to ':' first. Both must agree with the plugin.
        assertThat(r.statusCode()).isEqualTo(401);
        long ts = System.currentTimeMillis();
        String body = CONTACT_CHANGE.formatted(ts);
        HttpResponse<String> ok = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(hook() + "?portal=62515&tag=a%3Ab"))
                .header("X-HubSpot-Signature-v3", FakeHubSpot.sign(FakeHubSpot.CLIENT_SECRET, "POST",
                        hook() + "?portal=62515&tag=a:b", body, Long.toString(ts)))
                .header("X-HubSpot-Request-Timestamp", Long.toString(ts))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ctx.submittedEvents()).hasSize(1);
    }

    @Test
    void aSignedBodyThatIsNotJsonIs400() throws Exception {
        long now = System.currentTimeMillis();
        HttpResponse<String> r = FakeHubSpot.postWebhook(hook(), "contact 901 changed", FakeHubSpot.CLIENT_SECRET, now);
        assertThat(r.statusCode()).isEqualTo(400);
    }

    @Test
    void whenHubSpotCannotBeReadTheWebhookIs503SoHubSpotSendsItAgain() throws Exception {
        hubspot.server.stubFor(post(urlEqualTo("/crm/v3/objects/contacts/batch/read")).atPriority(1)
                .willReturn(FakeHubSpot.error(502, "BAD_GATEWAY", "upstream")));
        long now = System.currentTimeMillis();
        HttpResponse<String> r = FakeHubSpot.postWebhook(hook(), CONTACT_CHANGE.formatted(now), FakeHubSpot.CLIENT_SECRET, now);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(ctx.submittedEvents()).isEmpty();
    }

    @Test
    void deletionsAreAcknowledgedWithoutReadingAnything() throws Exception {
        long now = System.currentTimeMillis();
        String body = "[{\"eventId\":9,\"subscriptionType\":\"contact.deletion\",\"objectId\":901,\"occurredAt\":" + now
                + "},{\"eventId\":10,\"subscriptionType\":\"company.creation\",\"objectId\":77,\"occurredAt\":" + now + "}]";
        HttpResponse<String> r = FakeHubSpot.postWebhook(hook(), body, FakeHubSpot.CLIENT_SECRET, now);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(ctx.submittedEvents()).isEmpty();
        hubspot.server.verify(0, anyRequestedFor(anyUrl()));
    }
}
