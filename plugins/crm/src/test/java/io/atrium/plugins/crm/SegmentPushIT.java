package io.atrium.plugins.crm;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToIgnoreCase;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.atrium.plugin.api.Event;
import io.atrium.plugin.api.EventSink;
import io.atrium.plugin.testkit.TestConnectorContext;

import org.apache.camel.CamelExecutionException;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Segment entries and exits to HubSpot: the mapping class on its own against a local HubSpot, and
 * the plugin's route fed through {@code direct:} where the hub would use {@code atrium:segment-events}.
 */
class SegmentPushIT {

    static final String AUTH = "Bearer " + FakeHubSpot.TOKEN;

    FakeHubSpot hubspot;
    final List<Event> linked = new ArrayList<>();
    final EventSink sink = linked::addAll;

    @BeforeEach
    void setUp() {
        hubspot = new FakeHubSpot();
        hubspot.server.stubFor(patch(urlMatching("/crm/v3/objects/contacts/[0-9]+")).atPriority(3)
                .withHeader("Authorization", equalTo(AUTH))
                .willReturn(okJson(FakeHubSpot.contact("901", "ann@example.com", "Ann", "S", "2025-03-01T00:00:00Z")
                        .toString())));
        hubspot.server.stubFor(put(urlMatching("/crm/v3/lists/345/memberships/(add|remove)")).atPriority(3)
                .withHeader("Authorization", equalTo(AUTH))
                .willReturn(okJson("{\"recordIdsMissing\":[],\"recordIdsRemoved\":[],\"recordsIdsAdded\":[\"901\"]}")));
    }

    @AfterEach
    void tearDown() {
        hubspot.close();
    }

    HubSpotSegmentPush push(boolean create, String... rules) {
        Map<String, Object> raw = new HashMap<>();
        raw.put("access-token", FakeHubSpot.TOKEN);
        raw.put("api-url", hubspot.apiUrl());
        raw.put("request-timeout", "2s");
        raw.put("segment-push", List.of(rules));
        CrmSettings s = CrmConfigTest.parse(raw);
        return new HubSpotSegmentPush(new HubSpotApi(ApiClient.hubspot(s)), s.segmentRules(), create, sink,
                new EventMapping("hubspot"));
    }

    static SegmentEvent event(String type, long segment, Map<String, String> identities) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("segmentId", segment);
        m.put("segmentName", "VIP");
        m.put("profileId", 42L);
        m.put("at", "2025-03-01T10:00:00Z");
        m.put("identities", identities);
        return SegmentEvent.from(m);
    }

    void stubEmailSearch(String email, String answer) {
        hubspot.server.stubFor(post(urlEqualTo("/crm/v3/objects/contacts/search")).atPriority(2)
                .withHeader("Authorization", equalTo(AUTH))
                .withRequestBody(equalToJson("{\"filterGroups\":[{\"filters\":[{\"propertyName\":\"email\","
                        + "\"operator\":\"EQ\",\"value\":\"" + email + "\"}]}],\"properties\":[\"email\"],\"limit\":1}"))
                .willReturn(okJson(answer)));
    }

    @Test
    void anEntrySetsTheContactPropertyOfThePersonsCrmId() {
        SegmentPush.Outcome o = push(true, "12=property:atrium_vip", "12=property:tier=gold")
                .push(event("entered", 12, Map.of("crm_id", "901", "email", "ann@example.com")));
        assertThat(o).isEqualTo(SegmentPush.Outcome.DONE);
        hubspot.server.verify(1, patchRequestedFor(urlEqualTo("/crm/v3/objects/contacts/901"))
                .withHeader("Authorization", equalTo(AUTH))
                .withRequestBody(equalToJson("{\"properties\":{\"atrium_vip\":\"true\",\"tier\":\"gold\"}}")));
        hubspot.server.verify(0, postRequestedFor(urlEqualTo("/crm/v3/objects/contacts/search")));
        assertThat(linked).isEmpty();
    }

    @Test
    void anExitClearsThePropertyAndLeavesTheList() {
        SegmentPush.Outcome o = push(true, "12=property:atrium_vip", "12=list:345")
                .push(event("exited", 12, Map.of("crm_id", "901")));
        assertThat(o).isEqualTo(SegmentPush.Outcome.DONE);
        hubspot.server.verify(patchRequestedFor(urlEqualTo("/crm/v3/objects/contacts/901"))
                .withRequestBody(equalToJson("{\"properties\":{\"atrium_vip\":\"\"}}")));
        hubspot.server.verify(1, putRequestedFor(urlEqualTo("/crm/v3/lists/345/memberships/remove"))
                .withRequestBody(equalToJson("[\"901\"]")));
    }

    @Test
    void anEntryAddsTheContactToTheList() {
        assertThat(push(true, "12=list:345").push(event("entered", 12, Map.of("crm_id", "901"))))
                .isEqualTo(SegmentPush.Outcome.DONE);
        hubspot.server.verify(1, putRequestedFor(urlEqualTo("/crm/v3/lists/345/memberships/add"))
                .withHeader("Authorization", equalTo(AUTH))
                .withHeader("Content-Type", equalToIgnoreCase("application/json; charset=utf-8"))
                .withRequestBody(equalToJson("[\"901\"]")));
        hubspot.server.verify(0, patchRequestedFor(urlMatching(".*")));
    }

    @Test
    void aSegmentNoRuleNamesChangesNothing() {
        assertThat(push(true, "12=list:345").push(event("entered", 99, Map.of("crm_id", "901"))))
                .isEqualTo(SegmentPush.Outcome.IGNORED);
        hubspot.server.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void aPersonWithoutCrmIdIsFoundByEmailAndTheProfileLearnsTheCrmId() {
        stubEmailSearch("ann@example.com", FakeHubSpot.searchAnswer(null,
                FakeHubSpot.contact("907", "ann@example.com", "Ann", "S", "2025-01-01T00:00:00Z")));
        SegmentPush.Outcome o = push(true, "12=property:atrium_vip", "12=list:345")
                .push(event("entered", 12, Map.of("email", "Ann@Example.com")));
        assertThat(o).isEqualTo(SegmentPush.Outcome.DONE);
        hubspot.server.verify(patchRequestedFor(urlEqualTo("/crm/v3/objects/contacts/907"))
                .withRequestBody(equalToJson("{\"properties\":{\"atrium_vip\":\"true\"}}")));
        hubspot.server.verify(putRequestedFor(urlEqualTo("/crm/v3/lists/345/memberships/add"))
                .withRequestBody(equalToJson("[\"907\"]")));
        assertThat(linked).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("identify");
            assertThat(e.identities()).containsExactly(Map.entry("crm_id", "907"), Map.entry("email", "ann@example.com"));
            assertThat(e.messageId()).isEqualTo("crm:hubspot:link:42:907");
        });
    }

    @Test
    void aPersonHubSpotDoesNotHaveIsCreatedWithThePropertyAlreadySet() {
        stubEmailSearch("new@example.com", "{\"total\":0,\"results\":[]}");
        hubspot.server.stubFor(post(urlEqualTo("/crm/v3/objects/contacts")).atPriority(2)
                .withHeader("Authorization", equalTo(AUTH))
                .willReturn(okJson(FakeHubSpot.contact("950", "new@example.com", null, null, "2025-03-01T10:00:00Z")
                        .toString()).withStatus(201)));
        SegmentPush.Outcome o = push(true, "12=property:atrium_vip")
                .push(event("entered", 12, Map.of("email", "new@example.com", "phone", "+380501112233")));
        assertThat(o).isEqualTo(SegmentPush.Outcome.DONE);
        hubspot.server.verify(1, postRequestedFor(urlEqualTo("/crm/v3/objects/contacts"))
                .withRequestBody(equalToJson("{\"properties\":{\"email\":\"new@example.com\",\"phone\":\"+380501112233\","
                        + "\"atrium_vip\":\"true\"}}")));
        hubspot.server.verify(0, patchRequestedFor(urlMatching(".*")));
        assertThat(linked).singleElement().satisfies(e -> assertThat(e.identities()).containsEntry("crm_id", "950"));
    }

    @Test
    void aContactCreatedMeanwhileIsTakenFromHubSpotsConflictAnswer() {
        stubEmailSearch("new@example.com", "{\"total\":0,\"results\":[]}");
        hubspot.server.stubFor(post(urlEqualTo("/crm/v3/objects/contacts")).atPriority(2)
                .willReturn(FakeHubSpot.error(409, "CONFLICT", "Contact already exists. Existing ID: 951")));
        assertThat(push(true, "12=property:atrium_vip").push(event("entered", 12, Map.of("email", "new@example.com"))))
                .isEqualTo(SegmentPush.Outcome.DONE);
        hubspot.server.verify(patchRequestedFor(urlEqualTo("/crm/v3/objects/contacts/951"))
                .withRequestBody(equalToJson("{\"properties\":{\"atrium_vip\":\"true\"}}")));
        assertThat(linked).singleElement().satisfies(e -> assertThat(e.identities()).containsEntry("crm_id", "951"));
    }

    @Test
    void aCrmIdHubSpotNoLongerHasFallsBackToTheEmailAddress() {
        hubspot.server.stubFor(patch(urlEqualTo("/crm/v3/objects/contacts/666")).atPriority(1)
                .willReturn(FakeHubSpot.error(404, "OBJECT_NOT_FOUND", "resource not found")));
        stubEmailSearch("ann@example.com", FakeHubSpot.searchAnswer(null,
                FakeHubSpot.contact("907", "ann@example.com", "Ann", "S", "2025-01-01T00:00:00Z")));
        assertThat(push(true, "12=property:atrium_vip")
                .push(event("entered", 12, Map.of("crm_id", "666", "email", "ann@example.com"))))
                .isEqualTo(SegmentPush.Outcome.DONE);
        hubspot.server.verify(patchRequestedFor(urlEqualTo("/crm/v3/objects/contacts/907")));
        assertThat(linked).hasSize(1);
    }

    @Test
    void withoutContactCreationOrOnAnExitAnUnknownPersonIsSkipped() {
        stubEmailSearch("new@example.com", "{\"total\":0,\"results\":[]}");
        assertThat(push(false, "12=property:atrium_vip").push(event("entered", 12, Map.of("email", "new@example.com"))))
                .isEqualTo(SegmentPush.Outcome.SKIPPED);
        assertThat(push(true, "12=property:atrium_vip").push(event("exited", 12, Map.of("email", "new@example.com"))))
                .isEqualTo(SegmentPush.Outcome.SKIPPED);
        assertThat(push(true, "12=property:atrium_vip").push(event("entered", 12, Map.of("phone", "+380501112233"))))
                .isEqualTo(SegmentPush.Outcome.SKIPPED);
        hubspot.server.verify(0, postRequestedFor(urlEqualTo("/crm/v3/objects/contacts")));
        hubspot.server.verify(0, patchRequestedFor(urlMatching(".*")));
    }

    @Test
    void aRefusalThatCannotPassLaterFailsTheEventAndOneThatCanIsRetried() {
        hubspot.server.stubFor(patch(urlEqualTo("/crm/v3/objects/contacts/901")).atPriority(1)
                .willReturn(FakeHubSpot.error(400, "VALIDATION_ERROR", "Property values were not valid: "
                        + "[{\"isValid\":false,\"message\":\"Property \\\"atrium_vipp\\\" does not exist\"}]")));
        assertThat(push(true, "12=property:atrium_vipp").push(event("entered", 12, Map.of("crm_id", "901"))))
                .isEqualTo(SegmentPush.Outcome.FAILED);

        hubspot.server.stubFor(put(urlEqualTo("/crm/v3/lists/346/memberships/add")).atPriority(1)
                .willReturn(FakeHubSpot.error(404, "OBJECT_NOT_FOUND", "List 346 does not exist")));
        assertThat(push(true, "13=list:346").push(event("entered", 13, Map.of("crm_id", "901"))))
                .isEqualTo(SegmentPush.Outcome.FAILED);

        hubspot.server.stubFor(put(urlEqualTo("/crm/v3/lists/345/memberships/add")).atPriority(1)
                .willReturn(FakeHubSpot.rateLimited()));
        assertThatThrownBy(() -> push(true, "14=list:345").push(event("entered", 14, Map.of("crm_id", "901"))))
                .isInstanceOf(SegmentPush.RetryLater.class).hasMessageContaining("HTTP 429 (RATE_LIMIT)")
                .hasMessageContaining("delivered again later");

        hubspot.server.stubFor(put(urlEqualTo("/crm/v3/lists/345/memberships/add")).atPriority(1)
                .willReturn(FakeHubSpot.error(401, "INVALID_AUTHENTICATION", "The OAuth token used to make this call expired")));
        assertThatThrownBy(() -> push(true, "14=list:345").push(event("entered", 14, Map.of("crm_id", "901"))))
                .isInstanceOf(SegmentPush.RetryLater.class).hasMessageNotContaining(FakeHubSpot.TOKEN);
    }

    @Test
    void anUnreachableHubSpotIsRetried() {
        HubSpotSegmentPush p = push(true, "12=list:345");
        hubspot.close();
        assertThatThrownBy(() -> p.push(event("entered", 12, Map.of("crm_id", "901"))))
                .isInstanceOf(SegmentPush.RetryLater.class).hasMessageContaining("could not connect to HubSpot");
    }

    @Test
    void thePluginsRouteTakesSegmentEventsFromTheConfiguredEndpoint() throws Exception {
        Map<String, Object> c = new HashMap<>();
        c.put("access-token", FakeHubSpot.TOKEN);
        c.put("api-url", hubspot.apiUrl());
        c.put("poll-objects", List.of());
        c.put("segment-push", "12=list:345");
        c.put("segment-events-uri", "direct:segment-events");
        try (TestConnectorContext ctx = TestConnectorContext.forPlugin("crm", c)) {
            ctx.start(new CrmConnector());
            assertThat(ctx.camelContext().getRoute(CrmConnector.SEGMENT_ROUTE)).isNotNull();
            ProducerTemplate producer = ctx.camelContext().createProducerTemplate();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("type", "entered");
            body.put("segmentId", 12L);
            body.put("segmentName", "VIP");
            body.put("profileId", 42L);
            body.put("at", "2025-03-01T10:00:00Z");
            body.put("identities", Map.of("crm_id", "901"));
            producer.sendBody("direct:segment-events", body);
            hubspot.server.verify(1, putRequestedFor(urlEqualTo("/crm/v3/lists/345/memberships/add"))
                    .withRequestBody(equalToJson("[\"901\"]")));

            // A failure that may pass later fails the exchange, so the broker delivers it again.
            hubspot.server.stubFor(put(urlEqualTo("/crm/v3/lists/345/memberships/add")).atPriority(1)
                    .willReturn(FakeHubSpot.error(503, "SERVICE_UNAVAILABLE", "try later")));
            assertThatThrownBy(() -> producer.sendBody("direct:segment-events", body))
                    .isInstanceOf(CamelExecutionException.class)
                    .hasCauseInstanceOf(SegmentPush.RetryLater.class);

            // A body that is no segment event is dropped (logged), not retried for ever.
            producer.sendBody("direct:segment-events", "{\"type\":\"joined\"}");
        }
    }

    @Test
    void withoutPushRulesThereIsNoSegmentRoute() throws Exception {
        Map<String, Object> c = new HashMap<>();
        c.put("access-token", FakeHubSpot.TOKEN);
        c.put("api-url", hubspot.apiUrl());
        c.put("poll-objects", List.of());
        c.put("segment-events-uri", "direct:segment-events");
        try (TestConnectorContext ctx = TestConnectorContext.forPlugin("crm", c)) {
            ctx.start(new CrmConnector());
            assertThat(ctx.camelContext().getRoute(CrmConnector.SEGMENT_ROUTE)).isNull();
        }
    }
}
