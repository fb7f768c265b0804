package io.atrium.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMailUtil;

import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled email plugin of the unpacked distribution, configured by its file, sends through a
 * real SMTP server (GreenMail): a templated message from the API and one from a YAML route, with
 * the hub's links; the open pixel, the click and the unsubscribe link change the message and the
 * person's consent.
 */
class EmailChannelIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    @RegisterExtension
    static final HubFixture fixture = new HubFixture();
    static Hub hub;

    @BeforeAll
    static void start() throws Exception {
        fixture.startSmtp();
        hub = fixture.startHub(dir, Map.of());
        fixture.configureEmail(hub, "shop@example.com", "Example Shop");
        Plugins.awaitStarted(hub, WAIT, "email");
    }

    private JsonNode message(String id) throws Exception {
        return hub.getJson("/api/v1/messages/" + id);
    }

    @Test
    void aTemplatedEmailGoesOutAndItsOpenClickAndUnsubscribeComeBack() throws Exception {
        String key = hub.createSource("email-e2e");
        HttpResponse<String> identify = hub.send(HttpRequest.newBuilder(hub.uri("/v1/identify"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\": \"ann\", \"traits\": {\"email\": \"Ann@Example.com\", "
                        + "\"first_name\": \"Ann\", \"consents\": {\"email\": {\"marketing\": true}}}}")).build());
        assertThat(identify.statusCode()).isEqualTo(200);
        await().atMost(WAIT).until(() -> hub.admin("GET", "/api/v1/profiles/email/ann@example.com", null).statusCode() == 200);

        HttpResponse<String> template = hub.admin("POST", "/api/v1/templates", "{\"id\": \"cart\", \"channel\": \"email\", "
                + "\"subject\": \"{{traits.first_name}}, your cart is waiting\", \"text\": \"Hello {{traits.first_name}}, "
                + "finish your order: https://shop.example.com/cart\", \"html\": \"<p>Hello {{traits.first_name}}</p>"
                + "<a href=\\\"https://shop.example.com/cart\\\">Finish your order</a>\"}");
        assertThat(template.statusCode()).as(template.body()).isEqualTo(201);

        HttpResponse<String> queued = hub.admin("POST", "/api/v1/messages", "{\"profile\": {\"idType\": \"user_id\", "
                + "\"idValue\": \"ann\"}, \"channel\": \"email\", \"template\": \"cart\"}");
        assertThat(queued.statusCode()).as(queued.body()).isEqualTo(202);
        String id = Hub.JSON.readTree(queued.body()).path("id").asText();

        await().atMost(WAIT).untilAsserted(() -> assertThat(fixture.mailTo("ann@example.com")).hasSize(1));
        MimeMessage mail = fixture.mailTo("ann@example.com").get(0);
        assertThat(mail.getSubject()).isEqualTo("Ann, your cart is waiting");
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("ann@example.com");
        assertThat(mail.getFrom()[0].toString()).contains("Example Shop", "shop@example.com");
        assertThat(mail.getHeader("List-Unsubscribe")[0]).contains("/t/u/" + id);
        String raw = GreenMailUtil.getWholeMessage(mail);
        assertThat(raw).contains("multipart/alternative", "text/plain", "text/html", "/t/o/" + id + ".gif", "/t/c/" + id + "/0");
        await().atMost(WAIT).untilAsserted(() -> assertThat(message(id).path("status").asText()).isEqualTo("sent"));

        assertThat(hub.send(HttpRequest.newBuilder(hub.uri("/t/o/" + id + ".gif")).build()).statusCode()).isEqualTo(200);
        HttpResponse<String> click = hub.send(HttpRequest.newBuilder(hub.uri("/t/c/" + id + "/0")).build());
        assertThat(click.statusCode()).isEqualTo(302);
        assertThat(click.headers().firstValue("Location")).hasValue("https://shop.example.com/cart");
        assertThat(message(id).path("status").asText()).isEqualTo("clicked");

        HttpResponse<String> unsubscribe = hub.send(HttpRequest.newBuilder(hub.uri("/t/u/" + id))
                .POST(HttpRequest.BodyPublishers.ofString("List-Unsubscribe=One-Click")).build());
        assertThat(unsubscribe.statusCode()).isEqualTo(200);
        await().atMost(WAIT).untilAsserted(() -> {
            HttpResponse<String> next = hub.admin("POST", "/api/v1/messages", "{\"profile\": {\"idType\": \"user_id\", "
                    + "\"idValue\": \"ann\"}, \"channel\": \"email\", \"template\": \"cart\"}");
            assertThat(Hub.JSON.readTree(next.body()).path("reason").asText()).isEqualTo("no_consent");
        });
        JsonNode events = hub.getJson("/api/v1/profiles/user_id/ann/events?size=100");
        assertThat(events.toString()).contains("message_sent", "message_opened", "message_clicked", "consent_changed");
        assertThat(fixture.mailTo("ann@example.com")).hasSize(1);
    }

    @Test
    void aYamlRouteSendsATransactionalEmailThroughTheHub() throws Exception {
        String key = hub.createSource("route-e2e");
        hub.send(HttpRequest.newBuilder(hub.uri("/v1/identify"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes()))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\": \"bob\", \"traits\": {\"email\": \"bob@example.com\"}}")).build());
        await().atMost(WAIT).until(() -> hub.admin("GET", "/api/v1/profiles/user_id/bob", null).statusCode() == 200);
        Files.writeString(hub.home.resolve("routes/order-ready.yaml"), """
                - route:
                    id: order-ready
                    from:
                      uri: platform-http:/hooks/order-ready
                      steps:
                        - setBody:
                            simple: '{"profile": {"idType": "user_id", "idValue": "${header.customer}"}, "subject": "Order ${header.order} is ready", "text": "Your order ${header.order} is ready for pickup."}'
                        - to: atrium:send?channel=email&purpose=transactional
                        - marshal:
                            json: {}
                """);
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            HttpResponse<String> r = hub.send(HttpRequest.newBuilder(hub.uri("/hooks/order-ready?customer=bob&order=A-17"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(fixture.mailTo("bob@example.com")).hasSize(1));
        MimeMessage mail = fixture.mailTo("bob@example.com").get(0);
        assertThat(mail.getSubject()).isEqualTo("Order A-17 is ready");
        assertThat(GreenMailUtil.getBody(mail)).contains("Your order A-17 is ready for pickup.");
    }
}
