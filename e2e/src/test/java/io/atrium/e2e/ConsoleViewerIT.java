package io.atrium.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

/**
 * A viewer on the unpacked distribution, in headless Chromium: signs in, sees the dashboard, the
 * marketer's segments and campaigns and the integrator's plugins (a plugin's configuration form
 * too), routes and sources, with no control that changes anything; the API refuses a change sent
 * from the page with the viewer's session and a valid CSRF token (while a check that changes
 * nothing passes with the same session), and nothing changed.
 */
class ConsoleViewerIT {

    private static final String USER = "victor";
    private static final String PASSWORD = "viewer-pass-1";
    /** data-test words of controls that change something; a viewer must see none of them enabled. */
    private static final Pattern CHANGES = Pattern.compile(
            "(save|delete|remove|upload|revoke|disable|enable|launch|pause|create|new|edit|erase|unmerge|export|import|reset)",
            Pattern.CASE_INSENSITIVE);

    @TempDir
    static Path dir;
    @RegisterExtension
    static final HubFixture fixture = new HubFixture();
    static Hub hub;
    static ConsoleBrowser browser;

    @BeforeAll
    static void startHubAndBrowser() throws Exception {
        hub = fixture.startHub(dir.resolve("hub"), Map.of());
        hub.createUser(USER, PASSWORD, "viewer", "Victor Viewer");
        hub.createSource("web-shop");
        browser = fixture.startBrowser(hub, dir.resolve("chromium"));
    }

    @Test
    @DisplayName("a viewer sees the pages with no control that changes anything, and the API refuses a change from the browser")
    void viewerCanLookButNotChange() throws Exception {
        browser.signIn(USER, PASSWORD);
        assertThat(browser.text("role")).isEqualTo("viewer");
        browser.visible("dashboard");
        assertNoChangeControls("dashboard");
        assertThat(browser.all("nav-users")).isEmpty();
        assertThat(browser.all("nav-audit")).isEmpty();

        for (String page : List.of("plugins", "routes", "sources")) {
            showPage(page);
        }

        // A plugin's page: its configuration form is shown read-only, with no Save, Disable or Remove.
        browser.open("#/plugins/web-tracker");
        browser.visible("config-form");
        assertNoChangeControls("plugin web-tracker");
        browser.reread(() -> {
            for (WebElement input : browser.driver.findElements(By.cssSelector("[data-test=config-form] input, [data-test=config-form] select"))) {
                assertThat(input.isEnabled()).as("config input " + input.getAttribute("name")).isFalse();
            }
        });
        assertThat(browser.all("read-only")).isNotEmpty();

        // Sources: the snippet can be looked at, the source cannot be revoked.
        browser.open("#/sources");
        browser.visible("source-row-web-shop");
        assertThat(browser.all("source-form")).isEmpty();
        assertThat(browser.all("source-revoke-web-shop")).isEmpty();
        // With no atrium.public-url set, the tracker tag points at the address this browser uses.
        String key = null;
        for (JsonNode s : hub.getJson("/api/v1/sources")) {
            key = "web-shop".equals(s.path("name").asText()) ? s.path("writeKey").asText() : key;
        }
        browser.click("source-snippet-web-shop");
        browser.visible("snippet");
        assertThat(browser.attribute("snippet", "value"))
                .isEqualTo("<script async src=\"" + hub.uri("/js/atrium.js") + "\" data-write-key=\"" + key + "\"></script>");
        assertThat(hub.getJson("/api/v1/plugins/web-tracker").path("publicUrl").isNull()).isTrue();

        // The same session and its CSRF token, from the page: a change is refused, a check passes.
        Map<String, Object> create = fetch("POST", "/api/v1/sources", "{\"name\":\"viewer-made\"}");
        assertThat(create.get("status")).as(create.toString()).isEqualTo(403L);
        assertThat((String) create.get("body")).contains("forbidden");
        Map<String, Object> remove = fetch("DELETE", "/api/v1/plugins/web-tracker", null);
        assertThat(remove.get("status")).as(remove.toString()).isEqualTo(403L);
        Map<String, Object> check = fetch("POST", "/api/v1/plugins/web-tracker/config/validate", "{\"cache-max-age\":\"5m\"}");
        assertThat(check.get("status")).as("a check that changes nothing is open to a viewer: " + check).isEqualTo(200L);

        // Nothing changed.
        for (JsonNode s : hub.getJson("/api/v1/sources")) {
            assertThat(s.path("name").asText()).isNotEqualTo("viewer-made");
        }
        JsonNode tracker = hub.getJson("/api/v1/plugins/web-tracker");
        assertThat(tracker.path("state").asText()).as(tracker.toString()).isEqualTo("STARTED");
        for (JsonNode e : hub.getJson("/api/v1/audit?limit=1000")) {
            if (USER.equals(e.path("actor").asText())) {
                assertThat(e.path("action").asText()).as(e.toString()).doesNotStartWith("source.").doesNotStartWith("plugin.");
            }
        }

        // The marketer's pages, looked at by the viewer.
        for (String page : List.of("segments", "campaigns")) {
            showPage(page);
        }
    }

    /** Opens a page from the top bar and checks that it shows no error and no control that changes anything. */
    private static void showPage(String page) {
        browser.click("nav-" + page);
        browser.wait.until(d -> d.getCurrentUrl().endsWith("#/" + page));
        browser.wait.until(d -> d.findElements(By.cssSelector("#main .loading")).isEmpty());
        assertThat(browser.all("error")).as(page + " shows no error").isEmpty();
        assertNoChangeControls(page);
    }

    /** No visible, enabled button, input or select on the page whose data-test names a change (links only navigate). */
    private static void assertNoChangeControls(String page) {
        browser.reread(() -> noChangeControls(page));
    }

    private static void noChangeControls(String page) {
        for (WebElement e : browser.driver.findElements(By.cssSelector("#main [data-test], dialog [data-test]"))) {
            String test = e.getAttribute("data-test");
            String tag = e.getTagName();
            boolean control = List.of("button", "input", "select", "textarea").contains(tag);
            if (control && e.isDisplayed() && e.isEnabled() && CHANGES.matcher(test).find()) {
                throw new AssertionError(page + ": the viewer sees the control data-test=\"" + test + "\" (" + tag + " '" + e.getText() + "')");
            }
        }
        for (WebElement b : browser.driver.findElements(By.cssSelector("#main button.danger"))) {
            if (b.isDisplayed() && b.isEnabled()) {
                throw new AssertionError(page + ": the viewer sees the button '" + b.getText() + "' (data-test=" + b.getAttribute("data-test") + ")");
            }
        }
    }

    /** Runs fetch() in the console's page with its session cookie and the CSRF header, as api.js does. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> fetch(String method, String path, String json) {
        Object result = ((JavascriptExecutor) browser.driver).executeAsyncScript("""
                const [method, path, body, done] = arguments;
                const m = document.cookie.match(/(?:^|;\\s*)XSRF-TOKEN=([^;]*)/);
                const headers = {'X-XSRF-TOKEN': m ? decodeURIComponent(m[1]) : '', 'Accept': 'application/json'};
                if (body) headers['Content-Type'] = 'application/json';
                fetch(path, {method, headers, body: body || undefined, credentials: 'same-origin'})
                  .then(r => r.text().then(text => done({status: r.status, body: text, csrf: !!m})))
                  .catch(e => done({status: -1, body: String(e), csrf: !!m}));
                """, method, path, json);
        Map<String, Object> answer = (Map<String, Object>) result;
        assertThat(answer.get("csrf")).as("the page has the XSRF-TOKEN cookie").isEqualTo(true);
        return answer;
    }
}
