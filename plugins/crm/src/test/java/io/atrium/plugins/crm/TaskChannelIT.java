package io.atrium.plugins.crm;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;

import io.atrium.plugin.api.ChannelOptions;
import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.OutboundMessage;
import io.atrium.plugin.api.SendException;
import io.atrium.plugin.api.SendResult;
import io.atrium.plugin.testkit.TestConnectorContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The crm-task channel against a local server speaking HubSpot's tasks API; and how the plugin starts. */
class TaskChannelIT {

    static final String AUTH = "Bearer " + FakeHubSpot.TOKEN;

    FakeHubSpot hubspot;
    TestConnectorContext ctx;

    @BeforeEach
    void setUp() {
        hubspot = new FakeHubSpot();
        hubspot.server.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts/901")).atPriority(3)
                .withHeader("Authorization", equalTo(AUTH))
                .willReturn(okJson(FakeHubSpot.contact("901", "ann@example.com", "Ann", "S", "2025-01-01T00:00:00Z")
                        .toString())));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (ctx != null) {
            ctx.close();
        }
        hubspot.close();
    }

    Map<String, Object> config() {
        Map<String, Object> c = new HashMap<>();
        c.put("access-token", FakeHubSpot.TOKEN);
        c.put("api-url", hubspot.apiUrl());
        c.put("poll-objects", List.of());
        c.put("request-timeout", "2s");
        c.put("task-owner-id", "77");
        return c;
    }

    TestConnectorContext start(Map<String, Object> config) throws Exception {
        ctx = TestConnectorContext.forPlugin("crm", config);
        ctx.start(new CrmConnector());
        return ctx;
    }

    static OutboundMessage message(String to, Map<String, Object> attributes) {
        return new OutboundMessage("msg-1", "crm-task", "42", to, OutboundMessage.MARKETING,
                "Call Ann about the renewal", "She opened the offer 3 times.\nCall her today.", null, null, attributes);
    }

    void tasksAnswer(ResponseDefinitionBuilder answer) {
        hubspot.server.stubFor(post(urlEqualTo("/crm/v3/objects/tasks")).atPriority(1)
                .withHeader("Authorization", equalTo(AUTH)).willReturn(answer));
    }

    static ResponseDefinitionBuilder created(String id) {
        return aResponse().withStatus(201).withHeader("Content-Type", "application/json;charset=utf-8")
                .withBody("{\"id\":\"" + id + "\",\"properties\":{\"hs_task_subject\":\"Call Ann about the renewal\","
                        + "\"hs_task_status\":\"NOT_STARTED\",\"hs_object_id\":\"" + id + "\"},"
                        + "\"createdAt\":\"2025-03-01T10:00:00.000Z\",\"updatedAt\":\"2025-03-01T10:00:00.000Z\","
                        + "\"archived\":false}");
    }

    SendException failure(OutboundMessage m) {
        return catchThrowableOfType(SendException.class, () -> ctx.sender("crm-task").send(m));
    }

    @Test
    void theChannelIsAddressedByCrmIdPacedAndNotIdempotent() throws Exception {
        Map<String, Object> c = config();
        c.put("rate-per-second", 2.5);
        start(c);
        ChannelOptions o = ctx.channelOptions("crm-task");
        assertThat(o.addressType()).isEqualTo("crm_id");
        assertThat(o.ratePerSecond()).isEqualTo(2.5);
        assertThat(o.idempotent()).isFalse();
    }

    @Test
    void aMessageBecomesAHubSpotTaskOnThePersonsContact() throws Exception {
        start(config());
        tasksAnswer(created("8888001"));
        Instant before = Instant.now();
        SendResult r = ctx.sender("crm-task").send(message("901", Map.of("priority", "high", "campaignId", "c-1")));
        assertThat(r.providerMessageId()).isEqualTo("8888001");

        hubspot.server.verify(1, getRequestedFor(urlEqualTo("/crm/v3/objects/contacts/901?properties=email"))
                .withHeader("Authorization", equalTo(AUTH)));
        List<JsonNode> bodies = hubspot.bodies("POST", "/crm/v3/objects/tasks");
        assertThat(bodies).hasSize(1);
        JsonNode body = bodies.get(0);
        JsonNode p = body.path("properties");
        assertThat(p.path("hs_task_subject").asText()).isEqualTo("Call Ann about the renewal");
        assertThat(p.path("hs_task_body").asText()).isEqualTo("She opened the offer 3 times.<br>Call her today.");
        assertThat(p.path("hs_task_status").asText()).isEqualTo("NOT_STARTED");
        assertThat(p.path("hs_task_priority").asText()).isEqualTo("HIGH");
        assertThat(p.path("hs_task_type").asText()).isEqualTo("TODO");
        assertThat(p.path("hubspot_owner_id").asText()).isEqualTo("77");
        Instant due = Instant.parse(p.path("hs_timestamp").asText());
        assertThat(due).isBetween(before.plus(Duration.ofDays(1)).minusSeconds(1), Instant.now().plus(Duration.ofDays(1)));
        assertThat(body.path("associations").toString()).isEqualTo("[{\"to\":{\"id\":\"901\"},\"types\":[{"
                + "\"associationCategory\":\"HUBSPOT_DEFINED\",\"associationTypeId\":204}]}]");
        hubspot.server.verify(postRequestedFor(urlEqualTo("/crm/v3/objects/tasks")).withHeader("Authorization", equalTo(AUTH)));
        assertThat(ctx.statuses("crm-task")).isEmpty();
    }

    @Test
    void aContactHubSpotDoesNotHaveIsAPermanentInvalidAddressAndNoTaskIsCreated() throws Exception {
        start(config());
        SendException e = failure(message("404404", Map.of()));
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.reason()).isEqualTo(FailureReason.INVALID_ADDRESS);
        assertThat(e.getMessage()).contains("HubSpot has no contact 404404").contains("OBJECT_NOT_FOUND");
        hubspot.server.verify(0, postRequestedFor(urlEqualTo("/crm/v3/objects/tasks")));
    }

    @Test
    void aCreateAnswered404IsInvalidAddressToo() throws Exception {
        start(config());
        tasksAnswer(FakeHubSpot.error(404, "OBJECT_NOT_FOUND", "One or more associated objects were not found"));
        SendException e = failure(message("901", Map.of()));
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.reason()).isEqualTo(FailureReason.INVALID_ADDRESS);
    }

    @Test
    void aCrmIdThatIsNoHubSpotIdIsRefusedWithoutACall() throws Exception {
        start(config());
        hubspot.server.resetRequests();
        SendException e = failure(message("ann@example.com", Map.of()));
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.reason()).isEqualTo(FailureReason.INVALID_ADDRESS);
        assertThat(hubspot.server.getAllServeEvents()).isEmpty();
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {401, 403})
    void aRefusedTokenOrScopeIsPermanentRejectedAndNeverShowsTheToken(int status) throws Exception {
        start(config());
        tasksAnswer(FakeHubSpot.error(status, status == 401 ? "INVALID_AUTHENTICATION" : "MISSING_SCOPES",
                status == 401 ? "The OAuth token used to make this call expired 1 day(s) ago."
                        : "This app hasn't been granted all required scopes to make this call."));
        SendException e = failure(message("901", Map.of()));
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.reason()).isEqualTo(FailureReason.REJECTED);
        assertThat(e.getMessage()).contains("HTTP " + status).contains("check key 'access-token'")
                .doesNotContain(FakeHubSpot.TOKEN);
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {429, 500, 502, 503})
    void throttlingAndServerErrorsAreTransientUnavailable(int status) throws Exception {
        start(config());
        tasksAnswer(status == 429 ? FakeHubSpot.rateLimited() : FakeHubSpot.error(status, "INTERNAL_ERROR", "try again"));
        SendException e = failure(message("901", Map.of()));
        assertThat(e.isPermanent()).isFalse();
        assertThat(e.reason()).isEqualTo(FailureReason.UNAVAILABLE);
        assertThat(e.getMessage()).contains("HTTP " + status);
    }

    @Test
    void aValidationErrorIsPermanentRejectedWithHubSpotsMessage() throws Exception {
        start(config());
        tasksAnswer(FakeHubSpot.error(400, "VALIDATION_ERROR", "Property values were not valid: hubspot_owner_id 77 "
                + "is not a valid owner"));
        SendException e = failure(message("901", Map.of()));
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.reason()).isEqualTo(FailureReason.REJECTED);
        assertThat(e.getMessage()).contains("VALIDATION_ERROR").contains("not a valid owner");
    }

    @Test
    void aCreateThatGetsNoAnswerIsFinalSoNobodyGetsTheTaskTwice() throws Exception {
        start(config());
        tasksAnswer(created("1").withFixedDelay(3500));
        SendException e = failure(message("901", Map.of()));
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.reason()).isEqualTo(FailureReason.OUTCOME_UNKNOWN);
        assertThat(e.getMessage()).contains("did not answer").contains("may have created the task");
        hubspot.server.verify(1, postRequestedFor(urlEqualTo("/crm/v3/objects/tasks")));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"EMPTY_RESPONSE", "CONNECTION_RESET_BY_PEER"})
    void aCreateWhoseConnectionDropsWithoutAnAnswerIsFinalToo(String fault) throws Exception {
        start(config());
        tasksAnswer(aResponse().withFault(Fault.valueOf(fault)));
        SendException e = failure(message("901", Map.of()));
        assertThat(e.isPermanent()).isTrue();
        assertThat(e.reason()).isEqualTo(FailureReason.OUTCOME_UNKNOWN);
    }

    @Test
    void aContactCheckThatGetsNoAnswerIsRetriedSinceNothingWasCreated() throws Exception {
        start(config());
        hubspot.server.stubFor(get(urlPathEqualTo("/crm/v3/objects/contacts/901")).atPriority(1)
                .willReturn(okJson("{}").withFixedDelay(3500)));
        SendException e = failure(message("901", Map.of()));
        assertThat(e.isPermanent()).isFalse();
        assertThat(e.reason()).isEqualTo(FailureReason.UNAVAILABLE);
        hubspot.server.verify(0, postRequestedFor(urlEqualTo("/crm/v3/objects/tasks")));
    }

    @Test
    void anUnreachableHubSpotIsTransient() throws Exception {
        start(config());
        hubspot.close();
        SendException e = failure(message("901", Map.of()));
        assertThat(e.isPermanent()).isFalse();
        assertThat(e.reason()).isEqualTo(FailureReason.UNAVAILABLE);
        assertThat(e.getMessage()).contains("could not connect to HubSpot");
    }

    @Test
    void aTakenTaskWithoutAnIdInTheAnswerIsStillAccepted() throws Exception {
        start(config());
        tasksAnswer(aResponse().withStatus(201).withBody(""));
        assertThat(ctx.sender("crm-task").send(message("901", Map.of())).providerMessageId()).isNull();
    }

    @Test
    void aMessageWithoutOwnerUsesNoneWhenNoDefaultIsSet() throws Exception {
        Map<String, Object> c = config();
        c.remove("task-owner-id");
        c.put("task-priority", "LOW");
        c.put("task-type", "CALL");
        start(c);
        tasksAnswer(created("2"));
        ctx.sender("crm-task").send(message("901", Map.of("due", "2025-04-01T09:00:00Z")));
        JsonNode p = hubspot.bodies("POST", "/crm/v3/objects/tasks").get(0).path("properties");
        assertThat(p.has("hubspot_owner_id")).isFalse();
        assertThat(p.path("hs_task_priority").asText()).isEqualTo("LOW");
        assertThat(p.path("hs_task_type").asText()).isEqualTo("CALL");
        assertThat(p.path("hs_timestamp").asText()).isEqualTo("2025-04-01T09:00:00Z");
    }

    @Test
    void aTokenHubSpotRefusesFailsTheStartNamingTheKeyButNotTheToken() throws Exception {
        Map<String, Object> c = config();
        c.put("access-token", "pat-eu1-revoked-0000-1111");
        ctx = TestConnectorContext.forPlugin("crm", c);
        assertThatThrownBy(() -> ctx.start(new CrmConnector()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("HubSpot refused key 'access-token'")
                .hasMessageContaining("HTTP 401 (INVALID_AUTHENTICATION)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("pat-eu1-revoked-0000-1111"));
    }

    @Test
    void aTokenWithoutTheScopesFailsTheStartSayingWhichAreNeeded() throws Exception {
        hubspot.server.stubFor(get(urlEqualTo("/crm/v3/objects/contacts?limit=1&archived=false")).atPriority(1)
                .willReturn(FakeHubSpot.error(403, "MISSING_SCOPES", "This app hasn't been granted all required scopes")));
        ctx = TestConnectorContext.forPlugin("crm", config());
        assertThatThrownBy(() -> ctx.start(new CrmConnector()))
                .hasMessageContaining("HTTP 403 (MISSING_SCOPES)").hasMessageContaining("crm.objects.contacts.read");
    }

    @Test
    void anUnreachableHubSpotAtStartDoesNotStopThePlugin() throws Exception {
        Map<String, Object> c = config();
        c.put("api-url", "http://127.0.0.1:1");
        start(c);
        assertThat(ctx.channelOptions("crm-task")).isNotNull();
    }

    @Test
    void withoutAClientSecretNoWebhookIsServed() throws Exception {
        start(config());
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(ctx.httpUrl()
                + "/hooks/crm")).POST(HttpRequest.BodyPublishers.ofString("[]")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(ctx.camelContext().getRoute(CrmConnector.WEBHOOK_ROUTE)).isNull();
    }
}
