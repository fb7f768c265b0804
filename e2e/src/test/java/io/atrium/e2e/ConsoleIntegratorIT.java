package io.atrium.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The integrator's console on the unpacked distribution, in headless Chromium: an integrator signs
 * in, uploads the e-mail plugin's zip (taken out of the distribution's plugins/ first), sees it
 * DISABLED for its missing keys, opens its configuration form, types a port that is no number and
 * sees the server's message next to that field, fixes it, saves, and sees the plugin STARTED, as the
 * API and the file on disk say too. Then the routes page (a failing file with its line, the YAML,
 * throughput of a busy route), a new source with its tracker snippet, and the admin's audit log
 * naming the integrator. Screenshots for docs/console-admin.md with -Datrium.screenshots=<dir>.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIntegratorIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String USER = "ines";
    private static final String PASSWORD = "integrator-pass-1";
    private static final String NEW_PASSWORD = "integrator-pass-2";
    /** The hub's public address, as a reverse proxy in front of it would give it: not the address the browser uses. */
    private static final String PUBLIC_URL = "https://cdp.example.test";
    /** A smtp-host written as a placeholder with a default: the form must show it (and save it) as written. */
    private static final String SMTP_HOST = "${ATRIUM_E2E_SMTP_HOST:127.0.0.1}";

    @TempDir
    static Path dir;
    @RegisterExtension
    static final HubFixture fixture = new HubFixture();
    static Hub hub;
    static ConsoleBrowser browser;
    static Path emailZip;

    @BeforeAll
    static void startHubAndBrowser() throws Exception {
        hub = fixture.startHub(dir.resolve("hub"), java.util.Map.of("ATRIUM_PUBLIC_URL", PUBLIC_URL + "/"));
        // The upload needs a plugin the hub does not have yet: take the bundled e-mail plugin away.
        try (Stream<Path> zips = Files.list(hub.home.resolve("plugins"))) {
            Path bundled = zips.filter(p -> p.getFileName().toString().startsWith("email-")).findFirst()
                    .orElseThrow(() -> new AssertionError("no bundled email zip in plugins/"));
            emailZip = Files.move(bundled, Files.createDirectories(dir.resolve("upload")).resolve(bundled.getFileName()));
        }
        await("email plugin unloaded").atMost(WAIT).ignoreExceptions().untilAsserted(() ->
                assertThat(plugin("email")).isNull());
        hub.createUser(USER, PASSWORD, "integrator", "Ines Integrator");
        browser = fixture.startBrowser(hub, dir.resolve("chromium"));
    }

    @Test
    @Order(1)
    @DisplayName("an integrator uploads a plugin, fixes the config error shown next to its field, saves, and it runs")
    void uploadConfigureAndStartAPlugin() throws Exception {
        browser.signIn(USER, PASSWORD);
        assertThat(browser.text("role")).isEqualTo("integrator");
        browser.visible("dashboard");
        // The integrator's navigation has the plugins but neither users nor the audit log.
        assertThat(browser.all("nav-plugins")).hasSize(1);
        assertThat(browser.all("nav-users")).isEmpty();
        assertThat(browser.all("nav-audit")).isEmpty();

        browser.click("nav-plugins");
        browser.visible("plugins-table");
        assertThat(browser.all("plugin-row-email")).isEmpty();
        browser.visible("plugin-file").sendKeys(emailZip.toString());
        browser.click("plugin-upload");
        browser.waitForText("upload-ok", "email");

        // Listed, DISABLED because its required keys are missing, with that reason.
        browser.visible("plugin-row-email");
        browser.waitForAttribute("plugin-state-email", "data-state", "DISABLED");
        assertThat(browser.text("plugin-error-email")).contains("smtp-host");

        browser.click("plugin-link-email");
        browser.visible("config-form");
        // Generated from the configSpec: a select for allowed values, a password input for a secret.
        assertThat(browser.test("config-smtp-security").getTagName()).isEqualTo("select");
        assertThat(new Select(browser.test("config-smtp-security")).getOptions()).extracting(WebElement::getText)
                .contains("none", "starttls", "tls");
        assertThat(browser.attribute("config-smtp-password", "type")).isEqualTo("password");
        assertThat(browser.attribute("config-smtp-port", "placeholder")).isEqualTo("587");
        // Validated as soon as the form opens: the required keys are named next to their fields.
        browser.wait.until(d -> !errorFor("smtp-host").isEmpty());

        type("smtp-host", SMTP_HOST);
        type("from", "shop@example.com");
        type("from-name", "Example Shop");
        type("smtp-port", "twenty-five");
        new Select(browser.test("config-smtp-security")).selectByValue("none");
        // Validated while typing (debounced): the bad port is marked, the keys now given are not.
        browser.wait.until(d -> !errorFor("smtp-port").isEmpty() && errorFor("smtp-host").isEmpty() && errorFor("from").isEmpty());
        assertThat(errorFor("smtp-port")).contains("smtp-port");
        assertThat(browser.attribute("config-smtp-port", "class")).contains("invalid");
        browser.screenshot("admin-plugin-config");

        // Saving a bad form is refused by the server, which names the same field; nothing is written.
        browser.click("config-save");
        browser.visible("config-invalid");
        assertThat(errorFor("smtp-port")).contains("smtp-port");
        assertThat(Files.exists(hub.home.resolve("config/plugins/email.yml"))).isFalse();

        int port = Hub.freePort();
        type("smtp-port", Integer.toString(port));
        browser.wait.until(d -> errorFor("smtp-port").isEmpty());
        browser.visible("config-valid");

        // The plugin's own rules between keys are marked at the field they name, not above the form.
        new Select(browser.test("config-bounce-mode")).selectByValue("imap");
        browser.wait.until(d -> !errorFor("imap-host").isEmpty());
        assertThat(errorFor("imap-host")).isEqualTo("key 'imap-host' is required when 'bounce-mode' is 'imap': "
                + "set it to the IMAP server of the bounce mailbox");
        assertThat(errorFor("imap-username")).contains("required when 'bounce-mode' is 'imap'");
        assertThat(errorFor("imap-password")).contains("required when 'bounce-mode' is 'imap'");
        assertThat(errorFor("bounce-mode")).isEmpty();
        assertThat(browser.attribute("config-imap-host", "class")).contains("invalid");
        assertThat(browser.driver.findElements(By.cssSelector("[data-test=plugin-config] .error-box"))).isEmpty();
        browser.visible("config-invalid");
        new Select(browser.test("config-bounce-mode")).selectByValue("");
        browser.wait.until(d -> errorFor("imap-host").isEmpty());
        browser.visible("config-valid");
        browser.click("config-save");
        browser.visible("config-saved");
        browser.waitForAttribute("plugin-state", "data-state", "STARTED");
        assertThat(browser.all("plugin-error")).isEmpty();
        // The placeholder is shown as written, not resolved, so saving again keeps it.
        assertThat(browser.attribute("config-smtp-host", "value")).isEqualTo(SMTP_HOST);

        // The API and the file agree with what the console showed.
        JsonNode email = plugin("email");
        assertThat(email.path("state").asText()).as(email.toString()).isEqualTo("STARTED");
        assertThat(email.path("channels").toString()).contains("email");
        assertThat(email.path("config").path("smtp-port").asText()).isEqualTo(Integer.toString(port));
        assertThat(email.path("config").path("smtp-security").asText()).isEqualTo("none");
        assertThat(email.path("config").path("smtp-host").asText()).isEqualTo(SMTP_HOST);
        assertThat(Files.readString(hub.home.resolve("config/plugins/email.yml"))).contains("smtp-host: ${ATRIUM_E2E_SMTP_HOST:127.0.0.1}");
        // Saving the unchanged form writes the placeholder back, not the value it stood for.
        assertThat(configSaves()).hasSize(1);
        browser.click("config-save");
        await("the second save").atMost(WAIT).ignoreExceptions().until(() -> configSaves().size() == 2);
        assertThat(configSaves().get(0).path("detail").path("changedKeys").size()).as("keys changed by saving the form as shown").isZero();
        assertThat(Files.readString(hub.home.resolve("config/plugins/email.yml"))).contains("smtp-host: ${ATRIUM_E2E_SMTP_HOST:127.0.0.1}")
                .doesNotContain("smtp-host: 127.0.0.1");
        browser.waitForAttribute("plugin-state", "data-state", "STARTED");
        assertThat(browser.attribute("config-smtp-host", "value")).isEqualTo(SMTP_HOST);

        // Disable: the page shows the plugin DISABLED by her, without its channel, and offers Enable.
        browser.click("plugin-disable");
        browser.waitForAttribute("plugin-state", "data-state", "DISABLED");
        assertThat(browser.text("plugin-error")).startsWith("Disabled by " + USER + " on ").doesNotContain("/api/");
        assertThat(browser.all("plugin-disable")).isEmpty();
        assertThat(browser.text("plugin-enable")).isEqualTo("Enable");
        assertThat(browser.text("plugin-facts")).doesNotContain("Channels");
        JsonNode disabled = plugin("email");
        assertThat(disabled.path("state").asText()).isEqualTo("DISABLED");
        assertThat(disabled.path("enabled").asBoolean()).isFalse();
        assertThat(disabled.path("channels").size()).isZero();
        browser.click("nav-plugins");
        browser.waitForAttribute("plugin-state-email", "data-state", "DISABLED");
        assertThat(browser.text("plugin-error-email")).startsWith("Disabled by " + USER + " on ").doesNotContain("/api/");
        // Enable: it runs again with its configuration, and the page says so.
        browser.click("plugin-link-email");
        browser.click("plugin-enable");
        browser.waitForAttribute("plugin-state", "data-state", "STARTED");
        assertThat(browser.all("plugin-error")).isEmpty();
        assertThat(browser.text("plugin-disable")).isEqualTo("Disable");
        assertThat(browser.text("plugin-facts")).contains("Channels");
        JsonNode enabled = plugin("email");
        assertThat(enabled.path("state").asText()).isEqualTo("STARTED");
        assertThat(enabled.path("enabled").asBoolean()).isTrue();
        assertThat(enabled.path("channels").toString()).contains("email");

        browser.click("nav-plugins");
        browser.waitForAttribute("plugin-state-email", "data-state", "STARTED");
        browser.screenshot("admin-plugins");
    }

    @Test
    @Order(2)
    @DisplayName("routes: a failing file shows its line and YAML, a busy route its throughput")
    void routes() throws Exception {
        Files.writeString(hub.home.resolve("routes/console-ticker.yaml"), """
                - route:
                    id: console-ticker
                    from:
                      uri: timer:console-ticker?period=200
                      steps:
                        - setBody:
                            constant: tick
                """);
        Files.writeString(hub.home.resolve("routes/broken-orders.yaml"), """
                - route:
                    id: broken-orders
                    from:
                      uri: timer:broken?period=60000
                      steps:
                        - setBody: [unclosed
                """);
        browser.click("nav-routes");
        browser.visible("routes-table");
        browser.visible("route-problem-broken-orders.yaml");
        assertThat(browser.text("route-problem-broken-orders.yaml")).contains("line");
        // Throughput is measured between two refreshes of the page.
        browser.visible("route-row-console-ticker");
        browser.until(WAIT, d -> {
            var rate = browser.all("route-rate-console-ticker");
            return !rate.isEmpty() && !rate.get(0).getText().isBlank() && !"0".equals(rate.get(0).getText());
        });
        browser.screenshot("admin-routes");

        browser.reread(() -> browser.test("route-problem-broken-orders.yaml").findElement(By.tagName("a")).click());
        browser.visible("route-yaml");
        assertThat(browser.text("route-yaml")).contains("setBody: [unclosed");
        JsonNode failed = null;
        for (JsonNode r : hub.getJson("/api/v1/routes")) {
            if ("broken-orders.yaml".equals(r.path("file").asText()) && "FAILED".equals(r.path("state").asText())) {
                failed = r;
            }
        }
        assertThat(failed).isNotNull();
        // The line the server names is the one marked in the YAML.
        String markedLine = browser.reread(() -> browser.driver.findElement(By.cssSelector("[data-test=route-yaml] .error-line"))
                .getAttribute("data-line"));
        assertThat(markedLine).isEqualTo(failed.path("line").asText());
        assertThat(browser.text("route-file-error")).contains("line " + failed.path("line").asText());
    }

    @Test
    @Order(3)
    @DisplayName("sources: a new source shows its write key and the tracker tag to copy")
    void sources() throws Exception {
        hub.createSource("mobile-app");
        browser.click("nav-sources");
        browser.visible("source-row-mobile-app");
        browser.visible("source-name").sendKeys("web-shop");
        browser.click("source-create");
        String key = browser.text("new-write-key");
        assertThat(key).hasSize(43);
        String snippet = browser.attribute("snippet", "value");
        // On the hub's public URL (ATRIUM_PUBLIC_URL), not on the address this browser happens to use.
        assertThat(snippet).isEqualTo("<script async src=\"" + PUBLIC_URL + "/js/atrium.js\" data-write-key=\"" + key + "\"></script>");
        assertThat(hub.getJson("/api/v1/plugins/web-tracker").path("publicUrl").asText()).isEqualTo(PUBLIC_URL);
        boolean listed = false;
        for (JsonNode s : hub.getJson("/api/v1/sources")) {
            listed |= "web-shop".equals(s.path("name").asText()) && key.equals(s.path("writeKey").asText()) && s.path("active").asBoolean();
        }
        assertThat(listed).as("web-shop with the key shown, in /api/v1/sources").isTrue();
        browser.visible("source-row-web-shop");
        browser.screenshot("admin-sources");

        // The key works: a web site's events, as the tracker sends them, for the dashboard to count.
        String auth = "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> sent = hub.send(HttpRequest.newBuilder(hub.uri("/v1/batch")).header("Authorization", auth)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("""
                        {"batch": [
                          {"type": "page", "name": "Home", "anonymousId": "console-visitor-1"},
                          {"type": "track", "event": "product_viewed", "anonymousId": "console-visitor-1", "properties": {"sku": "A-1"}},
                          {"type": "track", "event": "cart_added", "anonymousId": "console-visitor-1", "properties": {"sku": "A-1"}}
                        ]}""")).build());
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);

        // Revoking asks first; cancelling changes nothing, confirming revokes.
        browser.click("source-revoke-mobile-app");
        browser.click("confirm-cancel");
        assertThat(sourceActive("mobile-app")).isTrue();
        browser.click("source-revoke-mobile-app");
        browser.click("confirm-ok");
        await("mobile-app revoked").atMost(WAIT).untilAsserted(() -> assertThat(sourceActive("mobile-app")).isFalse());
        browser.wait.until(ExpectedConditions.numberOfElementsToBe(ConsoleBrowser.byTest("source-revoke-mobile-app"), 0));
    }

    @Test
    @Order(4)
    @DisplayName("the integrator changes her password; the admin manages users, and the audit log names the integrator for each change, newest first")
    void auditLog() throws Exception {
        // The integrator changes her own password on Account: a wrong current one is marked at its field.
        browser.click("nav-account");
        browser.visible("current-password").sendKeys("not-my-password");
        browser.test("new-password").sendKeys(NEW_PASSWORD);
        browser.test("repeat-password").sendKeys(NEW_PASSWORD);
        browser.click("password-save");
        browser.wait.until(d -> !d.findElement(By.cssSelector("[data-error-for=currentPassword]")).getText().isBlank());
        assertThat(browser.attribute("current-password", "class")).contains("invalid");
        browser.test("current-password").clear();
        browser.test("current-password").sendKeys(PASSWORD);
        browser.click("password-save");
        browser.visible("password-changed");
        browser.signOut();
        browser.signIn(USER, NEW_PASSWORD);
        browser.signOut();

        browser.signInAsAdmin();
        browser.visible("dashboard");
        // The dashboard counts the three events of the web shop and names what is wrong.
        browser.until(WAIT, d -> !"0".equals(browser.test("card-events-value").getText()));
        assertThat(browser.text("card-events-value")).isEqualTo("3");
        assertThat(browser.driver.findElements(By.cssSelector("[data-test=events-per-minute] rect.bar"))).hasSize(60);
        assertThat(browser.text("card-profiles-value")).isEqualTo("1");
        browser.visible("route-failing-broken-orders.yaml");
        assertThat(browser.text("route-failing-broken-orders.yaml")).contains("line");
        browser.visible("plugin-failing-crm");
        assertThat(browser.all("plugin-failing-email")).isEmpty();
        browser.visible("queue-atrium.events");
        browser.screenshot("admin-dashboard");
        browser.click("nav-users");
        browser.visible("user-row-" + USER);
        assertThat(browser.text("user-row-" + USER)).contains("Ines Integrator");
        // The admin creates a marketer, then deletes him after typing his name.
        browser.visible("new-username").sendKeys("mark");
        browser.test("new-displayName").sendKeys("Mark Marketer");
        new Select(browser.test("new-role")).selectByValue("marketer");
        browser.test("new-user-password").sendKeys("marketer-pass-1");
        browser.click("user-create");
        browser.visible("user-row-mark");
        assertThat(hub.getJson("/api/v1/users/mark").path("role").asText()).isEqualTo("marketer");
        browser.screenshot("admin-users");
        // The admin makes him an integrator: the list shows it, and so does his console when he signs in.
        new Select(browser.test("user-role-mark")).selectByValue("integrator");
        await("mark is an integrator").atMost(WAIT).untilAsserted(() ->
                assertThat(hub.getJson("/api/v1/users/mark").path("role").asText()).isEqualTo("integrator"));
        browser.wait.until(d -> "integrator".equals(new Select(browser.test("user-role-mark")).getFirstSelectedOption().getAttribute("value")));
        browser.wait.until(ExpectedConditions.presenceOfElementLocated(
                By.xpath("//*[@data-test='toast' and normalize-space(.)='mark is now integrator']")));
        browser.signOut();
        browser.signIn("mark", "marketer-pass-1");
        assertThat(browser.text("role")).isEqualTo("integrator");
        assertThat(browser.all("nav-plugins")).hasSize(1);
        assertThat(browser.all("nav-users")).isEmpty();
        browser.signOut();
        browser.signInAsAdmin();
        browser.click("nav-users");
        browser.visible("user-row-mark");
        assertThat(new Select(browser.test("user-role-mark")).getFirstSelectedOption().getAttribute("value")).isEqualTo("integrator");
        browser.click("user-delete-mark");
        assertThat(browser.clickable("confirm-text").isDisplayed()).isTrue();
        assertThat(browser.test("confirm-ok").isEnabled()).isFalse();
        browser.test("confirm-text").sendKeys("mark");
        browser.click("confirm-ok");
        browser.wait.until(ExpectedConditions.numberOfElementsToBe(ConsoleBrowser.byTest("user-row-mark"), 0));
        assertThat(hub.admin("GET", "/api/v1/users/mark", null).statusCode()).isEqualTo(404);
        browser.click("nav-audit");
        browser.visible("audit-table");
        browser.test("audit-filter").sendKeys(USER);
        String audit = browser.text("audit-table");
        assertThat(audit).contains("plugin.upload").contains("plugin.config").contains("plugin.disable").contains("plugin.enable")
                .contains("source.create").contains("source.revoke").contains("user.password");
        // Newest first: her password was the integrator's last change, the upload her first.
        assertThat(audit.indexOf("user.password")).isLessThan(audit.indexOf("source.revoke"));
        assertThat(audit.indexOf("source.revoke")).isLessThan(audit.indexOf("plugin.upload"));
        browser.screenshot("admin-audit");
    }

    private static void type(String key, String value) {
        WebElement input = browser.visible("config-" + key);
        input.clear();
        input.sendKeys(value);
    }

    private static String errorFor(String key) {
        return browser.reread(() -> browser.driver.findElement(By.cssSelector("[data-test=config-form] [data-error-for=\"" + key + "\"]"))
                .getText());
    }

    /** The audit entries of saved plugin configurations, newest first. */
    private static java.util.List<JsonNode> configSaves() throws Exception {
        java.util.List<JsonNode> out = new java.util.ArrayList<>();
        for (JsonNode e : hub.getJson("/api/v1/audit?limit=100")) {
            if ("plugin.config".equals(e.path("action").asText())) {
                out.add(e);
            }
        }
        return out;
    }

    private static JsonNode plugin(String id) throws Exception {
        return Plugins.entry(hub, id);
    }

    private static boolean sourceActive(String name) throws Exception {
        for (JsonNode s : hub.getJson("/api/v1/sources")) {
            if (name.equals(s.path("name").asText()) && s.path("active").asBoolean()) {
                return true;
            }
        }
        return false;
    }

}
