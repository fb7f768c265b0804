package io.atrium.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The marketer's console in headless Chromium on the unpacked distribution, its e-mail and SMS
 * plugins talking to GreenMail and a stub SMSC: an admin makes a marketer through the API; five
 * shoppers arrive through the collector (three left a cart over an hour ago without ordering, one
 * ordered within the hour, one put something in the cart five minutes ago); the marketer builds the
 * abandoned-cart segment with the form and sees its 3 people, writes a template (the unknown
 * variable is named inline) and previews it for one of them, builds a campaign with the e-mail →
 * Viber → SMS cascade, dry-runs it, launches it and watches the funnel fill; the trace and the
 * profile page tell one shopper's story; the segment editor reads in Russian.
 */
class ConsoleMarketerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String MARKETER = "mia";
    private static final String MARKETER_PASSWORD = "mia-marketing-2026";

    @TempDir
    static Path dir;
    @RegisterExtension
    static final HubFixture fixture = new HubFixture();
    static GreenMail smtp;
    static Hub hub;
    static ConsoleBrowser browser;

    @BeforeAll
    static void startPeersAndHub() throws Exception {
        smtp = fixture.startSmtp();
        fixture.startHttpPeer().stubFor(post(urlEqualTo("/pa/send_message"))
                .willReturn(okJson("{\"status\":0,\"status_message\":\"ok\",\"message_token\":1}")));
        fixture.startSmsc().deliverReceiptsAfter(Duration.ofMillis(300));
        hub = fixture.startHub(dir.resolve("hub"), Map.of());
        fixture.configureEmail(hub, "shop@example.com", "Example Shop", "rate-per-second: 0");
        fixture.configureViber(hub, "4f8a1b2c3d4e5f60-718293a4b5c6d7e8-f90a1b2c3d4e5f60", "Example Shop", "register-webhook: false");
        fixture.configureSmpp(hub, "SHOP");
        Plugins.awaitStarted(hub, WAIT, "email", "viber", "sms");
        browser = fixture.startBrowser(hub, dir.resolve("chromium"));
    }

    // ---- arranging data as the shop's tracker and the admin would ----

    /** One collector call for a shopper, as it happened {@code ago} (the tracker queued it while offline). */
    private static void event(String writeKey, String userId, String path, Map<String, Object> fields, Duration ago) {
        Map<String, Object> msg = new LinkedHashMap<>(fields);
        msg.put("messageId", UUID.randomUUID().toString());
        msg.put("userId", userId);
        Instant now = Instant.now();
        msg.put("timestamp", now.minus(ago).toString());
        msg.put("sentAt", now.toString());
        try {
            HttpResponse<String> r = hub.send(HttpRequest.newBuilder(hub.uri(path))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Hub.JSON.writeValueAsString(msg))).build());
            assertThat(r.statusCode()).as(path + " answered " + r.body()).isEqualTo(200);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void shopper(String writeKey, String userId, Map<String, Object> traits, Duration cartAgo, Duration orderAgo) {
        event(writeKey, userId, "/v1/identify", Map.of("type", "identify", "traits", traits), cartAgo.plusMinutes(1));
        event(writeKey, userId, "/v1/track", Map.of("type", "track", "event", "added_to_cart",
                "properties", Map.of("sku", "bike-7", "total", 52000)), cartAgo);
        if (orderAgo != null) {
            event(writeKey, userId, "/v1/track", Map.of("type", "track", "event", "order_completed",
                    "properties", Map.of("order_id", "A-" + userId, "total", 52000)), orderAgo);
        }
    }

    private static JsonNode api(String method, String path, String body, int expected) throws Exception {
        HttpResponse<String> r = hub.admin(method, path, body);
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(expected);
        return r.body().isEmpty() ? null : Hub.JSON.readTree(r.body());
    }

    // ---- driving the page ----

    private static WebElement el(String test) {
        return browser.visible(test);
    }

    /** Replaces an input's text as a person does (select all, type), so the page sees every keystroke. */
    private static void type(String test, String text) {
        WebElement e = browser.clickable(test);
        e.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        e.sendKeys(text);
    }

    private static void choose(String test, String value) {
        new Select(browser.clickable(test)).selectByValue(value);
    }

    private static String value(String test) {
        return el(test).getDomProperty("value");
    }

    /** Waits for the server's problem under the control named {@code name} (a JSON path or a field), which is marked. */
    private static void waitForError(String name, String expected) {
        By slot = By.cssSelector("[data-error-for=\"" + name + "\"]");
        browser.wait.until(ExpectedConditions.textToBePresentInElementLocated(slot, expected));
        assertThat(browser.driver.findElement(By.name(name)).getDomAttribute("class")).contains("invalid");
    }

    private static void scrollTo(String test) {
        ((JavascriptExecutor) browser.driver).executeScript("arguments[0].scrollIntoView({block: 'start'})", el(test));
    }

    private static void anonymous(String writeKey, String anonymousId, String userId, String path, Map<String, Object> fields) {
        Map<String, Object> msg = new LinkedHashMap<>(fields);
        msg.put("messageId", UUID.randomUUID().toString());
        msg.put("anonymousId", anonymousId);
        if (userId != null) {
            msg.put("userId", userId);
        }
        try {
            HttpResponse<String> r = hub.send(HttpRequest.newBuilder(hub.uri(path))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Hub.JSON.writeValueAsString(msg))).build());
            assertThat(r.statusCode()).as(path + " answered " + r.body()).isEqualTo(200);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long profileId(String idType, String idValue) throws Exception {
        return api("GET", "/api/v1/profiles/" + idType + "/" + idValue, null, 200).path("id").asLong();
    }

    /** The admin's part of the profile page: undo a merge, and erase a person after typing who. */
    @Test
    void anAdminUndoesAMergeAndErasesAPersonOnTheProfilePage() throws Exception {
        String writeKey = hub.createSource("web-shop-2");
        // Zoe browses on a device, then signs in elsewhere; later the device signs in as her: the profiles merge.
        anonymous(writeKey, "device-zoe", null, "/v1/page", Map.of("type", "page", "name", "bikes"));
        await().atMost(WAIT).ignoreExceptions().until(() -> profileId("anonymous_id", "device-zoe") > 0);
        anonymous(writeKey, "laptop-zoe", "zoe", "/v1/identify", Map.of("type", "identify", "traits", Map.of("email", "zoe@example.com")));
        await().atMost(WAIT).ignoreExceptions().until(() -> profileId("user_id", "zoe") != profileId("anonymous_id", "device-zoe"));
        anonymous(writeKey, "device-zoe", "zoe", "/v1/track", Map.of("type", "track", "event", "signed_in"));
        await().atMost(WAIT).ignoreExceptions().until(() -> profileId("user_id", "zoe") == profileId("anonymous_id", "device-zoe"));
        anonymous(writeKey, "yan-phone", "yan", "/v1/identify", Map.of("type", "identify", "traits", Map.of("email", "yan@example.com")));
        await().atMost(WAIT).ignoreExceptions().until(() -> profileId("email", "yan@example.com") > 0);

        browser.signInAfresh("admin", Hub.ADMIN_PASSWORD);
        browser.open("#/profiles/user_id/zoe");
        WebElement undo = browser.wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-test^=\"undo-merge-\"]")));
        assertThat(browser.text("merges")).contains("merged into");
        undo.click();
        browser.click("confirm-ok");
        browser.waitForText("merges", "undone");
        assertThat(profileId("anonymous_id", "device-zoe")).isNotEqualTo(profileId("user_id", "zoe"));

        browser.open("#/profiles/email/yan@example.com");
        el("export-profile");
        browser.click("erase-profile");
        assertThat(el("confirm-ok").isEnabled()).as("erasing waits for the typed confirmation").isFalse();
        el("confirm-text").sendKeys("yan@example.com");
        browser.click("confirm-ok");
        browser.visible("profile-id-value");
        assertThat(hub.admin("GET", "/api/v1/profiles/email/yan@example.com", null).statusCode()).isEqualTo(404);
        assertThat(hub.admin("GET", "/api/v1/profiles/user_id/yan", null).statusCode()).isEqualTo(404);
        browser.signOut();
    }

    @Test
    void aMarketerBuildsTheAbandonedCartSegmentAndCascadeCampaignInTheConsole() throws Exception {
        // Arrange: the marketer's account, the shop's source and five shoppers.
        hub.createUser(MARKETER, MARKETER_PASSWORD, "marketer", "Mia Marketer");
        String writeKey = hub.createSource("web-shop");
        Map<String, Object> emailOk = Map.of("email", Map.of("marketing", true));
        shopper(writeKey, "ann", Map.of("email", "ann@example.com", "first_name", "Ann", "consents", emailOk), Duration.ofHours(2), null);
        shopper(writeKey, "bob", Map.of("phone", "+380501112233", "consents", Map.of("sms", Map.of("marketing", true))), Duration.ofHours(2), null);
        shopper(writeKey, "eve", Map.of("email", "eve@example.com"), Duration.ofMinutes(90), null);
        shopper(writeKey, "cat", Map.of("email", "cat@example.com", "consents", emailOk), Duration.ofHours(3), Duration.ofMinutes(160));
        shopper(writeKey, "dan", Map.of("email", "dan@example.com", "consents", emailOk), Duration.ofMinutes(5), null);
        await().atMost(WAIT).ignoreExceptions().until(() -> List.of("ann", "bob", "eve", "cat", "dan").stream().allMatch(u -> {
            try {
                return hub.getJson("/api/v1/profiles/user_id/" + u + "/events").path("total").asInt() >= 2;
            } catch (Exception e) {
                return false;
            }
        }));
        // The viber and SMS templates exist already (the e-mail one the marketer writes herself).
        api("POST", "/api/v1/templates", """
                {"id": "cart-viber", "name": "Cart (Viber)", "channel": "viber", "text": "Your cart at Example Shop is waiting"}""", 201);
        api("POST", "/api/v1/templates", """
                {"id": "cart-sms", "name": "Cart (SMS)", "channel": "sms", "text": "Example Shop: your cart is waiting"}""", 201);

        browser.signInAfresh(MARKETER, MARKETER_PASSWORD);
        assertThat(browser.text("role")).isEqualTo("marketer");
        assertThat(browser.text("whoami")).isEqualTo("Mia Marketer");

        // ---- the segment, built with the form ----
        browser.click("nav-segments");
        browser.click("new-segment");
        type("segment-name", "Abandoned cart");
        // The first condition is an event with no name yet: the server's problem marks that very box.
        waitForError("$.rule.all[0].event", "event name");
        type("$.rule.all[0].event", "added_to_cart");
        choose("$.rule.all[0].relation", "notFollowedBy");
        type("$.rule.all[0].notFollowedBy.event", "order_completed");
        type("$.rule.all[0].notFollowedBy.within", "1h");
        browser.waitForText("validation-status", "The rule is valid");
        // Ann, Bob and Eve left their carts over an hour ago; Cat ordered within the hour; Dan is still shopping.
        browser.waitForText("preview-count", "3");
        assertThat(el("json").getDomProperty("value")).contains("\"notFollowedBy\"").contains("\"order_completed\"");
        browser.screenshot("marketing-segment-editor");
        browser.click("save");
        browser.waitForText("members-total", "3");
        JsonNode segment = null;
        for (JsonNode s : api("GET", "/api/v1/segments", null, 200)) {
            if (s.path("name").asText().equals("Abandoned cart")) {
                segment = s;
            }
        }
        assertThat(segment).as("the saved segment").isNotNull();
        assertThat(segment.path("rule")).isEqualTo(Hub.JSON.readTree("""
                {"all": [{"event": "added_to_cart", "notFollowedBy": {"event": "order_completed", "within": "1h"}}]}"""));
        long segmentId = segment.path("id").asLong();
        assertThat(browser.driver.getCurrentUrl()).endsWith("#/segments/" + segmentId);
        assertThat(browser.text("members-table")).contains("ann@example.com").contains("+380501112233").contains("eve@example.com")
                .doesNotContain("cat@example.com").doesNotContain("dan@example.com");
        // CSV export with its progress, then the file.
        browser.click("export-csv");
        browser.waitForText("export-state", "3");
        String csv = el("export-download").getDomAttribute("href");
        HttpResponse<String> file = hub.send(HttpRequest.newBuilder(hub.uri(csv)).header("Authorization", "Bearer " + Hub.TOKEN).build());
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.body().lines().count()).isEqualTo(4);
        // The list shows the live count.
        browser.click("nav-segments");
        browser.waitForText("count-" + segmentId, "3");

        // ---- a template, checked as it is written and previewed for Ann ----
        browser.click("nav-templates");
        browser.click("new-template");
        type("template-id", "cart-email");
        type("template-name", "Cart (e-mail)");
        type("template-subject", "{{traits.frist_name}}, your cart is waiting");
        type("template-text", "Hello {{traits.first_name}}, your bike is still in the cart: https://shop.example.com/cart");
        waitForError("subject", "frist_name");
        type("template-subject", "{{traits.first_name}}, your cart is waiting");
        browser.click("default-add");
        type("default-name-0", "traits.first_name");
        el("default-name-0").sendKeys(Keys.TAB);
        type("default-value-0", "there");
        browser.waitForText("validation-status", "The template is valid");
        browser.click("save");
        browser.wait.until(d -> d.getCurrentUrl().endsWith("#/templates/cart-email"));
        choose("preview-id-type", "email");
        type("preview-id-value", "ann@example.com");
        browser.click("preview");
        browser.waitForText("preview-subject", "Ann, your cart is waiting");
        assertThat(browser.text("preview-text")).startsWith("Hello Ann, your bike");
        browser.screenshot("marketing-template-editor");
        JsonNode template = api("GET", "/api/v1/templates/cart-email", null, 200);
        assertThat(template.path("defaults").path("traits.first_name").asText()).isEqualTo("there");

        // ---- the campaign: a broadcast to the segment with the e-mail → Viber → SMS cascade ----
        browser.click("nav-campaigns");
        browser.click("new-campaign");
        type("campaign-id", "abandoned-cart");
        type("$.name", "Abandoned cart");
        choose("$.trigger.type", "broadcast");
        waitForError("$.audience", "audience");
        choose("$.audience", Long.toString(segmentId));
        choose("add-step", "cascade-preset");
        assertThat(value("$.steps[0].channels[0].channel")).isEqualTo("email");
        assertThat(value("$.steps[0].channels[0].template")).isEqualTo("cart-email");
        assertThat(value("$.steps[0].channels[0].until")).isEqualTo("opened");
        assertThat(value("$.steps[0].channels[0].within")).isEqualTo("2h");
        assertThat(value("$.steps[0].channels[1].channel")).isEqualTo("viber");
        assertThat(value("$.steps[0].channels[1].within")).isEqualTo("30m");
        assertThat(value("$.steps[0].channels[2].channel")).isEqualTo("sms");
        assertThat(value("$.steps[0].channels[2].template")).isEqualTo("cart-sms");
        // A cap with a mistake: the problem is shown at its box, then fixed.
        browser.click("add-cap");
        type("$.policy.caps.total.per", "1 day");
        waitForError("$.policy.caps.total.per", "duration");
        type("$.policy.caps.total.per", "1d");
        type("$.policy.caps.total.max", "3");
        browser.waitForText("validation-status", "The campaign is valid");
        browser.click("view-yaml");
        assertThat(browser.text("yaml")).contains("type: cascade").contains("channel: viber").contains("within: 30m");
        browser.click("view-json");
        // A taller window, so that the picture shows the trigger, the policy and the whole cascade.
        browser.driver.manage().window().setSize(new Dimension(1400, 1750));
        ((JavascriptExecutor) browser.driver).executeScript("window.scrollTo(0, 0)");
        browser.screenshot("marketing-campaign-editor");
        browser.driver.manage().window().setSize(new Dimension(1400, 1000));
        browser.click("save");
        browser.wait.until(d -> d.getCurrentUrl().endsWith("#/campaigns/abandoned-cart"));
        assertThat(browser.text("state")).isEqualTo("draft");

        browser.click("dry-run");
        browser.waitForText("dry-run-audience", "3");
        String step = "cascade-1";
        assertThat(browser.text("dry-run-" + step + "-email")).isEqualTo("1");  // Ann
        assertThat(browser.text("dry-run-" + step + "-sms")).isEqualTo("1");    // Bob: no e-mail, no Viber id
        assertThat(browser.text("dry-run-" + step + "-nobody")).isEqualTo("1"); // Eve: no consent, no phone
        assertThat(browser.text("dry-run-skipped-" + step)).contains("email: no consent").contains("email: no email");

        browser.click("launch");
        browser.click("confirm-ok");
        browser.wait.until(ExpectedConditions.textToBe(ConsoleBrowser.byTest("state"), "active"));
        // The funnel follows the running campaign: Ann's e-mail goes to GreenMail, Bob's SMS to the SMSC.
        browser.waitForText("journeys-entered", "3");
        browser.waitForText("funnel-" + step + "-email-sent-value", "1");
        browser.waitForText("funnel-" + step + "-sms-sent-value", "1");
        browser.waitForText("funnel-" + step + "-sms-delivered-value", "1");
        assertThat(browser.text("stats-" + step + "-email-skipped")).isEqualTo("2");
        JsonNode campaign = api("GET", "/api/v1/campaigns/abandoned-cart", null, 200);
        assertThat(campaign.path("state").asText()).isEqualTo("active");
        assertThat(campaign.at("/definition/trigger/type").asText()).isEqualTo("broadcast");
        assertThat(campaign.at("/definition/audience/segment").asLong()).isEqualTo(segmentId);
        JsonNode cascade = campaign.at("/definition/steps/0");
        assertThat(cascade.path("type").asText()).isEqualTo("cascade");
        assertThat(cascade.path("channels").findValuesAsText("channel")).containsExactly("email", "viber", "sms");
        assertThat(campaign.at("/definition/policy/caps/total/per").asText()).isEqualTo("1d");
        assertThat(smtp.getReceivedMessages()).hasSize(1);
        assertThat(smtp.getReceivedMessages()[0].getSubject()).isEqualTo("Ann, your cart is waiting");
        scrollTo("stats");
        browser.screenshot("marketing-campaign-funnel");

        // Why did Eve get nothing? The trace says.
        type("trace-profile", "email:eve@example.com");
        browser.click("trace-find");
        browser.waitForText("trace-result", "skipped");
        assertThat(browser.text("trace-log")).contains("no_consent");

        // ---- Ann's profile: identities, traits, consents, segments and one timeline ----
        browser.click("nav-profiles");
        choose("profile-id-type", "email");
        type("profile-id-value", "ann@example.com");
        browser.click("profile-find");
        browser.waitForText("timeline", "added_to_cart");
        browser.waitForText("timeline", "cart-email");
        assertThat(browser.text("identities")).contains("ann@example.com").contains("ann");
        assertThat(browser.text("traits")).contains("first_name").contains("Ann");
        assertThat(browser.text("consents")).contains("marketing").contains("granted");
        assertThat(browser.text("segments")).contains("Abandoned cart");
        assertThat(browser.all("admin-actions")).as("export and erase are for admins").isEmpty();
        browser.screenshot("marketing-profile");

        // ---- the same segment in Russian ----
        choose("language", "ru");
        browser.waitForText("nav-segments", "Сегменты");
        browser.click("nav-segments");
        browser.click("segment-" + segmentId);
        browser.waitForText("validation-status", "Правило верно");
        browser.waitForText("preview-count", "3");
        assertThat(browser.text("members-total")).isEqualTo("Сейчас в сегменте: 3");
        assertThat(new Select(el("$.rule.all[0].relation")).getFirstSelectedOption().getText()).isEqualTo("не последовало");
        browser.screenshot("marketing-segment-editor-ru");
        choose("language", "en");
    }
}
