package io.atrium.plugins.crm;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.OutboundMessage;
import io.atrium.plugin.api.SendException;
import io.atrium.plugin.testkit.TestConnectorContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The generic mode against a local REST CRM: polling with placeholders, signed record webhooks, segment and task posts. */
class GenericModeIT {

    static final String KEY = "generic-api-key-0123456789";
    static final String SECRET = "generic-webhook-secret-abcdef";

    WireMockServer crm;
    TestConnectorContext ctx;
    CrmConnector connector;

    @BeforeEach
    void setUp() {
        crm = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        crm.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (ctx != null) {
            ctx.close();
        }
        crm.stop();
    }

    Map<String, Object> config() {
        Map<String, Object> c = new HashMap<>();
        c.put("mode", "generic");
        c.put("api-url", "http://127.0.0.1:" + crm.port() + "/api");
        c.put("access-token", KEY);
        c.put("client-secret", SECRET);
        c.put("generic-auth", "header");
        c.put("generic-auth-header", "X-API-Key");
        c.put("generic-contacts-url", "/contacts?changed_since={since}&cursor={after}");
        c.put("generic-deals-url", "/deals?since={since_ms}");
        c.put("poll-objects", List.of());
        c.put("poll-start", "2025-01-01T00:00:00Z");
        c.put("poll-lag", "0s");
        c.put("poll-interval", "1h");
        c.put("request-timeout", "2s");
        return c;
    }

    TestConnectorContext start(Map<String, Object> config) throws Exception {
        ctx = TestConnectorContext.forPlugin("crm", config);
        connector = new CrmConnector();
        ctx.start(connector);
        return ctx;
    }

    static String hmacHex(String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    HttpResponse<String> postHook(String path, String body, String signature) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(ctx.httpUrl() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (signature != null) {
            b.header("X-Signature", signature);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void contactsArePolledPageByPageWithThePlaceholdersAndTheAuthHeader() throws Exception {
        crm.stubFor(get(urlEqualTo("/api/contacts?changed_since=2025-01-01T00%3A00%3A00Z&cursor="))
                .withHeader("X-API-Key", equalTo(KEY))
                .willReturn(okJson("{\"results\":[{\"id\":\"901\",\"email\":\"ann@example.com\",\"firstName\":\"Ann\","
                        + "\"updatedAt\":\"2025-02-01T10:00:00Z\"}],\"paging\":{\"next\":{\"after\":\"p2\"}}}")));
        crm.stubFor(get(urlEqualTo("/api/contacts?changed_since=2025-01-01T00%3A00%3A00Z&cursor=p2"))
                .withHeader("X-API-Key", equalTo(KEY))
                .willReturn(okJson("{\"results\":[{\"id\":\"902\",\"email\":\"bo@example.com\",\"phone\":\"+380501112233\","
                        + "\"updatedAt\":1738404000000}]}")));
        Map<String, Object> c = config();
        c.put("poll-objects", "contacts");
        start(c);
        await().atMost(Duration.ofSeconds(10)).until(() -> connector.poller().rounds() >= 1);
        assertThat(ctx.submittedEvents()).hasSize(2);
        assertThat(ctx.submittedEvents().get(0).identities()).containsEntry("crm_id", "901").containsEntry("email",
                "ann@example.com");
        assertThat(ctx.submittedEvents().get(0).traits()).containsEntry("first_name", "Ann");
        assertThat(ctx.submittedEvents().get(1).identities()).containsEntry("phone", "+380501112233");
        assertThat(ctx.submittedEvents().get(1).messageId()).isEqualTo("crm:generic:contact:902:1738404000000");

        // The next poll starts at the newest change seen.
        crm.resetRequests();
        connector.poller().pollAll();
        crm.verify(getRequestedFor(urlEqualTo("/api/contacts?changed_since=2025-02-01T10%3A00%3A00Z&cursor=")));
    }

    @Test
    void dealsArePolledToo() throws Exception {
        crm.stubFor(get(urlPathEqualTo("/api/deals")).withHeader("X-API-Key", equalTo(KEY))
                .willReturn(okJson("{\"results\":[{\"id\":\"D-1\",\"updatedAt\":\"2025-02-01T10:00:00Z\","
                        + "\"createdAt\":\"2025-02-01T10:00:00Z\",\"contactId\":\"901\",\"name\":\"Renewal\","
                        + "\"amount\":1500,\"stage\":\"proposal\"}]}")));
        Map<String, Object> c = config();
        c.put("poll-objects", "deals");
        start(c);
        await().atMost(Duration.ofSeconds(10)).until(() -> connector.poller().rounds() >= 1);
        crm.verify(getRequestedFor(urlEqualTo("/api/deals?since=1735689600000")));
        assertThat(ctx.submittedEvents()).singleElement().satisfies(e -> {
            assertThat(e.event()).isEqualTo("deal_created");
            assertThat(e.identities()).containsExactly(Map.entry("crm_id", "901"));
            assertThat(e.properties()).containsEntry("deal_name", "Renewal").containsEntry("stage", "proposal");
        });
    }

    @Test
    void aSignedWebhookCarriesTheRecordsThemselves() throws Exception {
        start(config());
        String body = "[{\"id\":\"903\",\"email\":\"cy@example.com\",\"lastName\":\"Young\",\"updatedAt\":\"2025-02-03T00:00:00Z\"}]";
        HttpResponse<String> r = postHook("/hooks/crm/contacts", body, "sha256=" + hmacHex(body));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(ctx.submittedEvents()).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo("identify");
            assertThat(e.identities()).containsEntry("crm_id", "903");
            assertThat(e.traits()).containsEntry("last_name", "Young");
        });
        String deal = "{\"results\":[{\"id\":\"D-9\",\"updatedAt\":\"2025-02-04T00:00:00Z\",\"contactId\":\"903\","
                + "\"stage\":\"won\"}]}";
        assertThat(postHook("/hooks/crm/deals", deal, hmacHex(deal).toUpperCase()).statusCode()).isEqualTo(200);
        assertThat(ctx.submittedEvents()).hasSize(2);
        assertThat(ctx.submittedEvents().get(1).properties()).containsEntry("stage", "won");
        assertThat(crm.getAllServeEvents()).isEmpty();
    }

    @Test
    void aWebhookWithoutTheRightSignatureIs401() throws Exception {
        start(config());
        String body = "[{\"id\":\"903\",\"updatedAt\":\"2025-02-03T00:00:00Z\"}]";
        assertThat(postHook("/hooks/crm/contacts", body, null).statusCode()).isEqualTo(401);
        assertThat(postHook("/hooks/crm/contacts", body, hmacHex(body + " ")).statusCode()).isEqualTo(401);
        assertThat(postHook("/hooks/crm/contacts", "not json", hmacHex("not json")).statusCode()).isEqualTo(400);
        assertThat(ctx.submittedEvents()).isEmpty();
    }

    @Test
    void segmentEntriesArePostedWithTheRulesTarget() throws Exception {
        crm.stubFor(post(urlPathEqualTo("/api/segments/12/members")).willReturn(aResponse().withStatus(204)));
        Map<String, Object> c = config();
        c.put("segment-push", "12=vip-customers");
        c.put("generic-segment-url", "/segments/{segment_id}/members?email={email}&target={target}");
        c.put("segment-events-uri", "direct:segments");
        start(c);
        ctx.camelContext().createProducerTemplate().sendBody("direct:segments", Map.of("type", "entered",
                "segmentId", 12L, "segmentName", "VIP", "profileId", 42L, "at", "2025-03-01T10:00:00Z",
                "identities", Map.of("email", "ann@example.com", "crm_id", "901")));
        crm.verify(postRequestedFor(urlEqualTo("/api/segments/12/members?email=ann%40example.com&target=vip-customers"))
                .withHeader("X-API-Key", equalTo(KEY))
                .withRequestBody(equalToJson("{\"eventId\":\"12:42:entered:2025-03-01T10:00:00Z\",\"type\":\"entered\","
                        + "\"segmentId\":12,\"segmentName\":\"VIP\",\"target\":\"vip-customers\",\"profileId\":\"42\","
                        + "\"at\":\"2025-03-01T10:00:00Z\",\"crmId\":\"901\",\"email\":\"ann@example.com\","
                        + "\"identities\":{\"email\":\"ann@example.com\",\"crm_id\":\"901\"}}", true, false)));
    }

    @Test
    void aTaskIsPostedAndItsIdReadAtThePointer() throws Exception {
        crm.stubFor(post(urlEqualTo("/api/contacts/901/tasks")).withHeader("X-API-Key", equalTo(KEY))
                .willReturn(okJson("{\"task\":{\"id\":\"T-77\"}}").withStatus(201)));
        Map<String, Object> c = config();
        c.put("generic-task-url", "/contacts/{crm_id}/tasks");
        c.put("generic-task-id-pointer", "/task/id");
        start(c);
        OutboundMessage m = new OutboundMessage("msg-9", "crm-task", "42", "901", OutboundMessage.MARKETING,
                "Call Ann", "About the renewal", null, null, Map.of("priority", "HIGH", "due", "2025-04-01T09:00:00Z"));
        assertThat(ctx.sender("crm-task").send(m).providerMessageId()).isEqualTo("T-77");
        crm.verify(postRequestedFor(urlEqualTo("/api/contacts/901/tasks")).withRequestBody(equalToJson(
                "{\"messageId\":\"msg-9\",\"crmId\":\"901\",\"title\":\"Call Ann\",\"body\":\"About the renewal\","
                        + "\"dueAt\":\"2025-04-01T09:00:00Z\",\"priority\":\"HIGH\",\"type\":\"TODO\"}", true, true)));

        crm.stubFor(post(urlEqualTo("/api/contacts/902/tasks")).willReturn(aResponse().withStatus(404)
                .withBody("{\"error\":\"no such contact\"}")));
        SendException e = catchThrowableOfType(SendException.class, () -> ctx.sender("crm-task").send(
                new OutboundMessage("msg-10", "crm-task", "43", "902", null, "T", "B", null, null, Map.of())));
        assertThat(e.reason()).isEqualTo(FailureReason.INVALID_ADDRESS);
        assertThat(e.getMessage()).contains("no such contact");
    }

    @Test
    void withoutATaskUrlThereIsNoChannel() throws Exception {
        start(config());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ctx.sender("crm-task"))
                .hasMessageContaining("registered no channel 'crm-task'");
    }
}
