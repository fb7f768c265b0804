package io.atrium.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;

import io.atrium.plugin.testkit.SmscStub;

import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The campaign issue end to end, through the unpacked distribution and its bundled channel
 * plugins, each configured by its file and talking to a real peer on loopback: a visitor of a shop
 * (events as the web tracker sends them) puts something in the cart and does not order within a minute,
 * so she enters the abandoned-cart segment; the campaign triggered by that entry tries e-mail
 * (GreenMail SMTP; not opened within 4 s), then Viber (a WireMock that speaks the Viber REST API;
 * Viber calls back, signed, that she is not a Viber user), then SMS (a jsmpp SMSC that answers
 * submit_sm and sends a DELIVRD receipt). Her history, the campaign's stats, her trace and her
 * messages tell the story; a visitor who did order gets nothing.
 */
class CampaignCascadeIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String VIBER_TOKEN = "4f8a1b2c3d4e5f60-718293a4b5c6d7e8-f90a1b2c3d4e5f60";
    /** Above 2^53: a Viber message_token a double would round; the hub must keep it exact. */
    private static final String VIBER_MESSAGE_TOKEN = "5491823457109842311";
    private static final String ANN_VIBER_ID = "01234567890A+bc/DEF==";

    @TempDir
    static Path dir;
    @RegisterExtension
    static final HubFixture fixture = new HubFixture();
    static GreenMail smtp;
    static WireMockServer viber;
    static SmscStub smsc;
    static Hub hub;

    @BeforeAll
    static void startPeersAndHub() throws Exception {
        smtp = fixture.startSmtp();

        viber = fixture.startHttpPeer();
        // Viber answers every call HTTP 200 with a status; a wrong or missing token is status 2.
        viber.stubFor(post(urlEqualTo("/pa/set_webhook")).atPriority(9)
                .willReturn(okJson("{\"status\":2,\"status_message\":\"invalidAuthToken\"}")));
        viber.stubFor(post(urlEqualTo("/pa/send_message")).atPriority(9)
                .willReturn(okJson("{\"status\":2,\"status_message\":\"invalidAuthToken\"}")));
        viber.stubFor(post(urlEqualTo("/pa/set_webhook")).atPriority(1)
                .withHeader("X-Viber-Auth-Token", equalTo(VIBER_TOKEN))
                .withRequestBody(matchingJsonPath("$.url"))
                .willReturn(okJson("{\"status\":0,\"status_message\":\"ok\",\"chat_hostname\":\"SN-CHAT-05_\","
                        + "\"event_types\":[\"delivered\",\"seen\",\"failed\",\"subscribed\",\"unsubscribed\",\"conversation_started\"]}")));
        viber.stubFor(post(urlEqualTo("/pa/send_message")).atPriority(1)
                .withHeader("X-Viber-Auth-Token", equalTo(VIBER_TOKEN))
                .withRequestBody(matchingJsonPath("$.receiver"))
                .willReturn(okJson("{\"status\":0,\"status_message\":\"ok\",\"message_token\":" + VIBER_MESSAGE_TOKEN
                        + ",\"chat_hostname\":\"SN-CHAT-05_\",\"billing_status\":1}")));

        smsc = fixture.startSmsc().deliverReceiptsAfter(Duration.ofSeconds(1));

        // Segments whose rule depends on the clock are recomputed every second, not every minute,
        // so that "no order within a minute" takes effect within a second of the minute passing.
        hub = fixture.startHub(dir, Map.of()); // windows closing move people by their wake-ups (docs/segments.md)
        fixture.configureEmail(hub, "shop@example.com", "Example Shop", "rate-per-second: 0");
        fixture.configureViber(hub, VIBER_TOKEN, "Example Shop", "register-webhook: true", "request-timeout: 5s");
        fixture.configureSmpp(hub, "SHOP");
        Plugins.awaitStarted(hub, WAIT, "email", "viber", "sms");
        // The viber plugin registered the hub's webhook URL with Viber on start, and the URL answers
        // Viber's signed check the way Viber wants (HTTP 200).
        viber.verify(postRequestedFor(urlEqualTo("/pa/set_webhook"))
                .withHeader("X-Viber-Auth-Token", equalTo(VIBER_TOKEN))
                .withRequestBody(matchingJsonPath("$.url", equalTo("http://localhost:" + hub.port + "/hooks/viber"))));
        String check = "{\"event\":\"webhook\",\"timestamp\":" + System.currentTimeMillis()
                + ",\"chat_hostname\":\"SN-CHAT-05_\",\"message_token\":5491823457109840000}";
        assertThat(viberCallback(check, sign(check.getBytes(StandardCharsets.UTF_8))).statusCode()).isEqualTo(200);
    }

    // ---- the visitor's browser: what atrium.js sends ----

    private static final class Visitor {
        final String anonymousId = UUID.randomUUID().toString();
        final String writeKey;
        String userId;

        Visitor(String writeKey) {
            this.writeKey = writeKey;
        }

        /** How long ago the browser queued the next events (atrium.js keeps its queue while the visitor is offline). */
        Duration queuedFor = Duration.ZERO;

        /**
         * One call as the tracker makes it: text/plain JSON, Basic auth with the write key, its
         * messageId, the time the event happened, the time it is sent, and the browser context.
         */
        void send(String path, Map<String, Object> fields) throws Exception {
            Map<String, Object> msg = new LinkedHashMap<>(fields);
            msg.put("messageId", UUID.randomUUID().toString());
            msg.put("anonymousId", anonymousId);
            if (userId != null) {
                msg.put("userId", userId);
            }
            Instant now = Instant.now();
            msg.put("timestamp", now.minus(queuedFor).toString());
            msg.put("sentAt", now.toString());
            msg.put("context", Map.of("library", Map.of("name", "atrium.js", "version", "0.1.0"),
                    "page", Map.of("path", "/cart", "url", "https://shop.example.com/cart", "title", "Your cart"),
                    "userAgent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0", "locale", "uk-UA"));
            HttpResponse<String> r = hub.send(HttpRequest.newBuilder(hub.uri(path))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)))
                    .header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString(Hub.JSON.writeValueAsString(msg))).build());
            assertThat(r.statusCode()).as(path + " answered " + r.body()).isEqualTo(200);
        }

        void page(String name) throws Exception {
            send("/v1/page", Map.of("type", "page", "name", name, "properties", Map.of("path", "/" + name)));
        }

        void identify(String user, Map<String, Object> traits) throws Exception {
            userId = user;
            send("/v1/identify", Map.of("type", "identify", "traits", traits));
        }

        void track(String event, Map<String, Object> properties) throws Exception {
            send("/v1/track", Map.of("type", "track", "event", event, "properties", properties));
        }
    }

    // ---- helpers ----

    private static JsonNode created(String path, String json) throws Exception {
        HttpResponse<String> r = hub.admin("POST", path, json);
        assertThat(r.statusCode()).as("POST " + path + ": " + r.body()).isEqualTo(201);
        return Hub.JSON.readTree(r.body());
    }

    private static JsonNode ok(String path) throws Exception {
        HttpResponse<String> r = hub.admin("GET", path, null);
        assertThat(r.statusCode()).as("GET " + path + ": " + r.body()).isEqualTo(200);
        return Hub.JSON.readTree(r.body());
    }

    /** The decisions of the person's journeys, as "kind" or "kind:channel", in order. */
    private static List<String> decisions(String campaign, String profile) throws Exception {
        List<String> out = new ArrayList<>();
        ok("/api/v1/campaigns/" + campaign + "/trace?profile=" + profile).path("journeys").forEach(j -> j.path("log")
                .forEach(l -> out.add(l.path("kind").asText() + (l.path("channel").isTextual() ? ":" + l.path("channel").asText() : ""))));
        return out;
    }

    private static JsonNode messageOn(String profile, String channel) throws Exception {
        for (JsonNode m : ok("/api/v1/messages?profile=" + profile).path("messages")) {
            if (m.path("channel").asText().equals(channel)) {
                return m;
            }
        }
        return null;
    }

    private static String sign(byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(VIBER_TOKEN.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }

    /** What Viber posts to the bot's webhook, signed with the bot's auth token. */
    private static HttpResponse<String> viberCallback(String json, String signature) {
        return hub.send(HttpRequest.newBuilder(hub.uri("/hooks/viber"))
                .header("Content-Type", "application/json")
                .header("X-Viber-Content-Signature", signature)
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build());
    }

    @Test
    void anAbandonedCartCascadesFromEmailToViberToSmsByWhatEachChannelReports() throws Exception {
        String writeKey = hub.createSource("web-shop");

        long segment = created("/api/v1/segments", """
                {"name": "Abandoned cart (1 min)",
                 "description": "Put something in the cart and did not order within a minute",
                 "rule": {"event": "added_to_cart", "within": "1h", "notFollowedBy": {"event": "order_completed", "within": "1m"}}}
                """).path("id").asLong();
        created("/api/v1/templates", """
                {"id": "cart-email", "name": "Cart (e-mail)", "channel": "email",
                 "subject": "{{traits.first_name}}, your cart is waiting",
                 "text": "Hello {{traits.first_name}}, your cart is still waiting ({{campaign.name}}): https://shop.example.com/cart",
                 "html": "<p>Hello {{traits.first_name}}</p><p><a href=\\"https://shop.example.com/cart\\">Back to your cart</a></p>",
                 "defaults": {"traits.first_name": "there"}}
                """);
        created("/api/v1/templates", """
                {"id": "cart-viber", "name": "Cart (Viber)", "channel": "viber",
                 "text": "{{traits.first_name}}, your cart at Example Shop is waiting",
                 "defaults": {"traits.first_name": "there"}}
                """);
        created("/api/v1/templates", """
                {"id": "cart-sms", "name": "Cart (SMS)", "channel": "sms",
                 "text": "Example Shop: your cart is waiting, {{traits.first_name}}",
                 "defaults": {"traits.first_name": "there"}}
                """);
        String campaign = "abandoned-cart";
        created("/api/v1/campaigns", """
                {"id": "%s", "name": "Abandoned cart", "purpose": "marketing",
                 "trigger": {"type": "segment_entered", "segment": %d},
                 "steps": [{"id": "remind", "type": "cascade", "channels": [
                    {"channel": "email", "template": "cart-email", "until": "opened", "within": "4s"},
                    {"channel": "viber", "template": "cart-viber", "until": "delivered", "within": "2m"},
                    {"channel": "sms", "template": "cart-sms"}]}]}
                """.formatted(campaign, segment));
        HttpResponse<String> launch = hub.admin("POST", "/api/v1/campaigns/" + campaign + "/launch", null);
        assertThat(launch.statusCode()).as(launch.body()).isEqualTo(200);
        JsonNode launched = ok("/api/v1/campaigns/" + campaign);
        assertThat(launched.path("state").asText()).isEqualTo("active");
        assertThat(launched.path("missingChannels").size()).as(launched.toString()).isZero();

        Map<String, Object> consents = Map.of("email", Map.of("marketing", true), "viber", Map.of("marketing", true),
                "sms", Map.of("marketing", true));
        // Ann browses anonymously, signs in, puts a bike in the cart and leaves.
        Visitor ann = new Visitor(writeKey);
        ann.page("bikes");
        ann.identify("ann-17", Map.of("email", "Ann@Example.com", "phone", "+380 50 123 45 67", "first_name", "Ann",
                "consents", consents));
        // The shop's back end knows her Viber id (she once wrote to its bot) and links it.
        HttpResponse<String> link = hub.send(HttpRequest.newBuilder(hub.uri("/v1/identify"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\": \"ann-17\", \"messageId\": \"link-viber-ann-17\", "
                        + "\"identities\": {\"viber_id\": \"" + ANN_VIBER_ID + "\"}, \"traits\": {}}")).build());
        assertThat(link.statusCode()).as(link.body()).isEqualTo(200);
        // The shortest window a segment rule has is a minute. So that the test does not wait for it,
        // her browser was offline when she put the bike in the cart 55 s ago, and the tracker sends
        // its queue now: the collector keeps the time the event happened (timestamp vs. sentAt).
        ann.queuedFor = Duration.ofSeconds(55);
        ann.track("added_to_cart", Map.of("product", "city bike", "total", 23_500));

        // Bob does the same at the same time, but orders 5 s later: he never enters the segment.
        Visitor bob = new Visitor(writeKey);
        bob.page("bikes");
        bob.identify("bob-18", Map.of("email", "bob@example.com", "phone", "+380501234999", "first_name", "Bob",
                "consents", consents));
        bob.queuedFor = Duration.ofSeconds(55);
        bob.track("added_to_cart", Map.of("product", "helmet", "total", 1_900));
        bob.queuedFor = Duration.ofSeconds(50);
        bob.track("order_completed", Map.of("order_id", "A-1001", "total", 1_900));

        String annRef = "user_id:ann-17";
        await("ann's profile with her identities").atMost(WAIT).ignoreExceptions().untilAsserted(() ->
                assertThat(ok("/api/v1/profiles/user_id/ann-17").path("identities").toString())
                        .contains("ann@example.com", "+380501234567", ANN_VIBER_ID));

        // 1. A minute after her cart without an order Ann enters the segment, her journey starts and e-mail goes first.
        await("the e-mail to ann in GreenMail").atMost(WAIT).untilAsserted(() -> assertThat(fixture.mailTo("ann@example.com")).hasSize(1));
        MimeMessage mail = fixture.mailTo("ann@example.com").get(0);
        assertThat(mail.getSubject()).isEqualTo("Ann, your cart is waiting");
        String raw = GreenMailUtil.getWholeMessage(mail);
        assertThat(raw).contains("your cart is still waiting (Abandoned cart)", "/t/o/", "List-Unsubscribe");
        await("the e-mail recorded as sent").atMost(WAIT).untilAsserted(() ->
                assertThat(messageOn(annRef, "email").path("status").asText()).isEqualTo("sent"));

        // 2. Nobody opens it within 4 s: the cascade falls back to Viber, which accepts the message.
        await("viber send_message").atMost(WAIT).untilAsserted(() ->
                assertThat(viber.findAll(postRequestedFor(urlEqualTo("/pa/send_message")))).hasSize(1));
        LoggedRequest sendMessage = viber.findAll(postRequestedFor(urlEqualTo("/pa/send_message"))).get(0);
        JsonNode viberBody = Hub.JSON.readTree(sendMessage.getBodyAsString());
        assertThat(viberBody.path("receiver").asText()).isEqualTo(ANN_VIBER_ID);
        assertThat(viberBody.path("type").asText()).isEqualTo("text");
        assertThat(viberBody.path("text").asText()).isEqualTo("Ann, your cart at Example Shop is waiting");
        assertThat(viberBody.path("sender").path("name").asText()).isEqualTo("Example Shop");
        String viberMessageId = messageOn(annRef, "viber").path("id").asText();
        assertThat(viberBody.path("tracking_data").asText()).isEqualTo(viberMessageId);
        await("the viber message recorded as sent with Viber's token").atMost(WAIT).untilAsserted(() -> {
            JsonNode m = messageOn(annRef, "viber");
            assertThat(m.path("status").asText()).isEqualTo("sent");
            assertThat(m.path("providerMessageId").asText()).isEqualTo(VIBER_MESSAGE_TOKEN);
        });
        assertThat(smsc.submits).as("nothing on SMS while Viber may still deliver").isEmpty();

        // 3. Viber calls back: she is not a Viber user. A wrongly signed callback changes nothing first.
        String failed = "{\"event\":\"failed\",\"timestamp\":" + System.currentTimeMillis() + ",\"chat_hostname\":\"SN-CHAT-05_\","
                + "\"message_token\":" + VIBER_MESSAGE_TOKEN + ",\"user_id\":\"" + ANN_VIBER_ID + "\","
                + "\"desc\":\"Receiver is not a Viber user\"}";
        assertThat(viberCallback(failed, sign("tampered".getBytes(StandardCharsets.UTF_8))).statusCode()).isEqualTo(403);
        assertThat(messageOn(annRef, "viber").path("status").asText()).isEqualTo("sent");
        HttpResponse<String> callback = viberCallback(failed, sign(failed.getBytes(StandardCharsets.UTF_8)));
        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(200);
        Instant failedAt = Instant.now();

        // 4. That falls back to SMS at once (not after the 2 minutes); the SMSC answers and reports DELIVRD.
        await("submit_sm at the SMSC").atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(smsc.submits).hasSize(1));
        assertThat(Duration.between(failedAt, Instant.now())).isLessThan(Duration.ofSeconds(30));
        SmscStub.Submit sms = smsc.submits.get(0);
        assertThat(sms.to()).isEqualTo("380501234567");
        assertThat(sms.from()).isEqualTo("SHOP");
        assertThat(sms.text()).isEqualTo("Example Shop: your cart is waiting, Ann");
        assertThat(sms.wantsReceipt()).isTrue();
        await("the SMS delivered").atMost(WAIT).untilAsserted(() -> {
            JsonNode m = messageOn(annRef, "sms");
            assertThat(m).isNotNull();
            assertThat(m.path("status").asText()).as(m.toString()).isEqualTo("delivered");
            assertThat(m.path("providerMessageId").asText()).isEqualTo(sms.messageId());
        });
        assertThat(smsc.receiptsSent).containsExactly(sms.messageId());

        // Her history: the segment entry and every message status, as events on her profile.
        await("ann's history").atMost(WAIT).untilAsserted(() -> {
            List<String> events = new ArrayList<>();
            Map<String, List<String>> statusByChannel = new LinkedHashMap<>();
            for (JsonNode e : ok("/api/v1/profiles/user_id/ann-17/events?size=200").path("events")) {
                String name = e.path("event").asText();
                events.add(name);
                if (name.startsWith("message_")) {
                    statusByChannel.computeIfAbsent(e.path("properties").path("channel").asText(), k -> new ArrayList<>()).add(name);
                }
            }
            assertThat(events).contains("added_to_cart", "segment_entered", "message_sent", "message_failed", "message_delivered");
            assertThat(statusByChannel.get("email")).containsExactly("message_sent");
            assertThat(statusByChannel.get("viber")).containsExactlyInAnyOrder("message_sent", "message_failed");
            assertThat(statusByChannel.get("sms")).containsExactlyInAnyOrder("message_sent", "message_delivered");
        });

        // The trace: every decision, in order, with the reasons.
        JsonNode trace = ok("/api/v1/campaigns/" + campaign + "/trace?profile=" + annRef);
        assertThat(decisions(campaign, annRef)).as(trace.toPrettyString()).containsExactly("entered", "sent:email", "fell_back:email", "sent:viber",
                "fell_back:viber", "sent:sms", "exited");
        JsonNode journey = trace.path("journeys").get(0);
        assertThat(trace.path("journeys").size()).isEqualTo(1);
        assertThat(journey.path("state").asText()).isEqualTo("done");
        assertThat(journey.path("endReason").asText()).isEqualTo("completed");
        JsonNode log = journey.path("log");
        assertThat(log.get(0).path("detail").asText()).contains("Abandoned cart (1 min)");
        assertThat(log.get(2).path("detail").asText()).contains("not opened within 4s");
        assertThat(log.get(4).path("detail").asText()).contains("failed", "not_a_user");
        assertThat(trace.path("messages").size()).isEqualTo(3);

        // Her messages: three, with their statuses and histories.
        JsonNode messages = ok("/api/v1/messages?profile=" + annRef);
        assertThat(messages.path("total").asInt()).isEqualTo(3);
        Map<String, JsonNode> byChannel = new LinkedHashMap<>();
        messages.path("messages").forEach(m -> byChannel.put(m.path("channel").asText(), m));
        assertThat(byChannel.keySet()).containsExactlyInAnyOrder("email", "viber", "sms");
        assertThat(byChannel.get("email").path("status").asText()).isEqualTo("sent");
        assertThat(byChannel.get("email").path("address").asText()).isEqualTo("ann@example.com");
        assertThat(byChannel.get("viber").path("status").asText()).isEqualTo("failed");
        assertThat(byChannel.get("viber").path("reason").asText()).isEqualTo("not_a_user");
        assertThat(byChannel.get("viber").path("detail").asText()).isEqualTo("Receiver is not a Viber user");
        assertThat(byChannel.get("sms").path("status").asText()).isEqualTo("delivered");
        assertThat(byChannel.get("sms").path("address").asText()).isEqualTo("+380501234567");
        for (JsonNode m : byChannel.values()) {
            assertThat(m.path("campaignId").asText()).isEqualTo(campaign);
            assertThat(m.path("stepId").asText()).isEqualTo("remind");
        }
        assertThat(statuses(byChannel.get("email"))).containsExactly("queued", "sent");
        assertThat(statuses(byChannel.get("viber"))).containsExactly("queued", "sent", "failed");
        assertThat(statuses(byChannel.get("sms"))).containsExactly("queued", "sent", "delivered");

        // The stats per channel of the step.
        JsonNode stats = ok("/api/v1/campaigns/" + campaign + "/stats");
        assertThat(stats.path("journeys").path("entered").asInt()).as(stats.toString()).isEqualTo(1);
        assertThat(stats.path("journeys").path("completed").asInt()).as(stats.toString()).isEqualTo(1);
        JsonNode remind = stats.path("steps").path("remind");
        assertCounts(remind.path("email"), Map.of("sent", 1, "fellBack", 1, "failed", 0, "delivered", 0, "opened", 0));
        assertCounts(remind.path("viber"), Map.of("sent", 1, "fellBack", 1, "failed", 1, "delivered", 0));
        assertCounts(remind.path("sms"), Map.of("sent", 1, "delivered", 1, "failed", 0, "fellBack", 0));

        // Bob ordered in time: no journey, no message, no mail.
        assertThat(ok("/api/v1/campaigns/" + campaign + "/trace?profile=user_id:bob-18").path("journeys").size()).isZero();
        assertThat(ok("/api/v1/messages?profile=user_id:bob-18").path("total").asInt()).isZero();
        assertThat(fixture.mailTo("bob@example.com")).isEmpty();
        assertThat(ok("/api/v1/profiles/user_id/bob-18").path("segments").size()).isZero();
        // One of each, nothing repeated.
        assertThat(smtp.getReceivedMessages()).hasSize(1);
        assertThat(viber.findAll(postRequestedFor(urlEqualTo("/pa/send_message")))).hasSize(1);
        assertThat(smsc.submits).hasSize(1);
    }

    private static List<String> statuses(JsonNode message) {
        List<String> out = new ArrayList<>();
        message.path("history").forEach(h -> out.add(h.path("status").asText()));
        return out;
    }

    private static void assertCounts(JsonNode counts, Map<String, Integer> expected) {
        expected.forEach((k, v) -> assertThat(counts.path(k).asInt()).as(k + " in " + counts).isEqualTo(v));
    }
}
