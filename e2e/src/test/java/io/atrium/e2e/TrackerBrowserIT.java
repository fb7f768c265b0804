package io.atrium.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * A web site adds the tracker with one script tag; a visitor browses anonymously in a real
 * (headless) Chromium, then asks for a call back through a form. Everything ends up in one
 * profile: the anonymous page views and the identified events together.
 */
class TrackerBrowserIT {

    @TempDir
    static Path dir;
    @RegisterExtension
    static final HubFixture fixture = new HubFixture();
    static Hub hub;
    static HttpServer site;
    static WebDriver browser;

    @BeforeAll
    static void startHubSiteAndBrowser() throws Exception {
        hub = fixture.startHub(dir, Map.of());
        String writeKey = hub.createSource("dealer-site");

        // The site is another origin than the hub (another port), as on the real web.
        site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String tag = "<script async src=\"http://127.0.0.1:" + hub.port + "/js/atrium.js\" data-write-key=\"" + writeKey + "\"></script>";
        serve("/index.html", """
                <!doctype html><html><head><meta charset="utf-8"><title>Dealer: new cars</title>%s</head>
                <body><h1>New cars</h1><a id="models" href="/models.html">Models</a></body></html>
                """.formatted(tag));
        serve("/models.html", """
                <!doctype html><html><head><meta charset="utf-8"><title>Dealer: models</title>%s</head>
                <body><h1>Models</h1><a id="callback" href="/callback.html">Request a call back</a></body></html>
                """.formatted(tag));
        serve("/callback.html", """
                <!doctype html><html><head><meta charset="utf-8"><title>Dealer: call back</title>%s</head>
                <body><form id="form">
                  <input id="email" name="email"><input id="name" name="name"><input id="phone" name="phone">
                  <button id="send" type="submit">Call me</button></form><p id="done"></p>
                <script>
                  document.getElementById('form').addEventListener('submit', function (e) {
                    e.preventDefault();
                    var email = document.getElementById('email').value;
                    atrium.identify('dealer-customer-7', {email: email, name: document.getElementById('name').value,
                                                        phone: document.getElementById('phone').value});
                    atrium.track('callback_requested', {model: 'Sedan X'});
                    atrium.flush();
                    document.getElementById('done').textContent = 'Thank you, we will call you';
                  });
                </script></body></html>
                """.formatted(tag));
        site.start();

        browser = ConsoleBrowser.chromium(dir.resolve("chromium-profile"));
    }

    private static void serve(String path, String html) {
        byte[] body = html.getBytes(StandardCharsets.UTF_8);
        site.createContext(path, exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (site != null) {
            site.stop(0);
        }
    }

    private static String siteUrl(String path) {
        return "http://127.0.0.1:" + site.getAddress().getPort() + path;
    }

    private static void awaitTracker() {
        await().atMost(Duration.ofSeconds(10)).until(() -> Boolean.TRUE.equals(((JavascriptExecutor) browser)
                .executeScript("return !!(window.atrium && window.atrium.__atrium);")));
    }

    @Test
    void anonymousPageViewsAndTheCallBackFormEndInOneProfile() throws Exception {
        browser.get(siteUrl("/index.html"));
        awaitTracker();
        String anonymousId = (String) ((JavascriptExecutor) browser).executeScript("return atrium.anonymousId();");
        assertThat(anonymousId).isNotBlank();

        // The anonymous visit is on record before the visitor says who they are.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(hub.admin("GET", "/api/v1/profiles/anonymous_id/" + anonymousId, null).statusCode()).isEqualTo(200));

        browser.findElement(By.id("models")).click();
        awaitTracker();
        browser.findElement(By.id("callback")).click();
        awaitTracker();
        assertThat(((JavascriptExecutor) browser).executeScript("return atrium.anonymousId();"))
                .as("the anonymous id survives page loads").isEqualTo(anonymousId);
        browser.findElement(By.id("email")).sendKeys("Ann.Driver@Example.com");
        browser.findElement(By.id("name")).sendKeys("Ann Driver");
        browser.findElement(By.id("phone")).sendKeys("+380 67 123 45 67");
        browser.findElement(By.id("send")).click();
        assertThat(browser.findElement(By.id("done")).getText()).contains("Thank you");

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode profile = hub.getJson("/api/v1/profiles/email/ann.driver@example.com");
            List<String> identities = new ArrayList<>();
            profile.path("identities").forEach(i -> identities.add(i.path("type").asText() + ":" + i.path("value").asText()));
            assertThat(identities).contains("anonymous_id:" + anonymousId, "user_id:dealer-customer-7",
                    "email:ann.driver@example.com", "phone:+380671234567");
            assertThat(profile.path("traits").path("name").asText()).isEqualTo("Ann Driver");

            JsonNode events = hub.getJson("/api/v1/profiles/email/ann.driver@example.com/events?size=50").path("events");
            List<String> seen = new ArrayList<>();
            events.forEach(e -> seen.add(e.path("type").asText() + ":" + (e.path("event").isTextual() ? e.path("event").asText()
                    : e.path("name").isTextual() ? e.path("name").asText() : "")));
            assertThat(seen).contains("page:Dealer: new cars", "page:Dealer: models", "page:Dealer: call back",
                    "identify:", "track:callback_requested");
        });

        // Looking the person up by the anonymous browser id finds the same, identified profile.
        JsonNode byEmail = hub.getJson("/api/v1/profiles/email/ann.driver@example.com");
        JsonNode byAnonymous = hub.getJson("/api/v1/profiles/anonymous_id/" + anonymousId);
        assertThat(byAnonymous.path("id").asText()).isEqualTo(byEmail.path("id").asText());
    }
}
