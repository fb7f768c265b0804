package io.atrium.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Debian Chromium driving the hub's web console, as a person does: elements are found by
 * their {@code data-test} attribute. With {@code -Datrium.screenshots=<dir>} (e.g. docs/screenshots)
 * {@link #screenshot} keeps PNGs of the pages; otherwise it does nothing.
 */
final class ConsoleBrowser implements AutoCloseable {

    final WebDriver driver;
    final WebDriverWait wait;
    private final Hub hub;

    ConsoleBrowser(Hub hub, Path profileDir) throws Exception {
        this.hub = hub;
        driver = chromium(profileDir);
        wait = new WebDriverWait(driver, Duration.ofSeconds(20));
        // The console redraws parts of a page when its data changes (a click's answer, a poll), so an
        // element found a moment ago may be gone; waits look again instead of failing.
        wait.ignoring(StaleElementReferenceException.class);
    }

    /**
     * Headless Debian Chromium (-Datrium.chromium, -Datrium.chromedriver) with its profile in
     * {@code profileDir}: an English 1400x1000 window, no background traffic, no saved passwords.
     * The console tests drive it through a ConsoleBrowser; a test of a web page drives it directly.
     */
    static ChromeDriver chromium(Path profileDir) throws IOException {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("atrium.chromium", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
                "--no-first-run", "--window-size=1400,1000", "--lang=en-GB",
                "--user-data-dir=" + Files.createDirectories(profileDir));
        // no saved passwords: a second user's sign-in must not be filled in with the first one's
        options.setExperimentalOption("prefs", java.util.Map.of("credentials_enable_service", false,
                "profile.password_manager_enabled", false));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(System.getProperty("atrium.chromedriver", "/usr/bin/chromedriver")).toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    /** Opens the console at a hash route ("#/segments") or its start page (""). */
    void open(String hash) {
        driver.get(hub.uri("/console/").toString() + hash);
    }

    /**
     * Signs in on the console's sign-in form and waits for the top bar. Chromium may have filled in
     * what it saw for the previous user, so the fields are emptied and typed until they hold
     * exactly {@code user} and {@code password}.
     */
    void signIn(String user, String password) {
        open("");
        visible("username");
        wait.until(d -> {
            WebElement name = test("username");
            WebElement secret = test("password");
            name.clear();
            secret.clear();
            name.sendKeys(user);
            secret.sendKeys(password);
            return user.equals(name.getAttribute("value")) && password.equals(secret.getAttribute("value"));
        });
        test("sign-in-submit").click();
        visible("whoami");
    }

    /** Signs in as the admin the hub created on its first start ({@link Hub#ADMIN_PASSWORD}). */
    void signInAsAdmin() {
        signIn("admin", Hub.ADMIN_PASSWORD);
    }

    /** Forgets the session (its cookies) and signs in as {@code user}: another person at this browser. */
    void signInAfresh(String user, String password) {
        driver.manage().deleteAllCookies();
        signIn(user, password);
    }

    void signOut() {
        test("sign-out").click();
        visible("username");
    }

    static By byTest(String name) {
        return By.cssSelector("[data-test=\"" + name + "\"]");
    }

    WebElement test(String name) {
        return driver.findElement(byTest(name));
    }

    List<WebElement> all(String name) {
        return driver.findElements(byTest(name));
    }

    WebElement visible(String name) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(byTest(name)));
    }

    WebElement clickable(String name) {
        return wait.until(ExpectedConditions.elementToBeClickable(byTest(name)));
    }

    /** Clicks the element once it is clickable, finding it again if the page redrew it meanwhile. */
    void click(String name) {
        wait.until(d -> {
            WebElement element = ExpectedConditions.elementToBeClickable(byTest(name)).apply(d);
            if (element == null) {
                return null;
            }
            element.click();
            return true;
        });
    }

    /** The visible element's text, read again if the page redrew it meanwhile. */
    String text(String name) {
        return wait.until(d -> {
            WebElement element = ExpectedConditions.visibilityOfElementLocated(byTest(name)).apply(d);
            return element == null ? null : element.getText();
        });
    }

    /** The element's attribute ("" when it has none), read again if the page redrew it meanwhile. */
    String attribute(String name, String attribute) {
        return wait.until(d -> {
            String value = d.findElement(byTest(name)).getAttribute(attribute);
            return value == null ? "" : value;
        });
    }

    /**
     * What {@code read} makes of the page (once it is neither null nor false), read again from the
     * start if the page redrew an element it was reading (StaleElementReferenceException); an
     * assertion that fails inside it fails at once.
     */
    <T> T reread(java.util.function.Supplier<T> read) {
        return wait.until(d -> read.get());
    }

    /** Waits up to {@code timeout} (not the usual 20 s, which stays as it is) until {@code condition} holds, looking again on a redraw. */
    void until(Duration timeout, java.util.function.Function<WebDriver, Boolean> condition) {
        new WebDriverWait(driver, timeout).ignoring(StaleElementReferenceException.class).until(condition::apply);
    }

    /** {@link #reread} for checks that return nothing. */
    void reread(Runnable check) {
        reread(() -> {
            check.run();
            return true;
        });
    }

    /** Waits until the element's attribute has the expected value. */
    void waitForAttribute(String name, String attribute, String expected) {
        wait.until(ExpectedConditions.attributeToBe(byTest(name), attribute, expected));
    }

    /** Waits until the element's text contains the expected text. */
    void waitForText(String name, String expected) {
        wait.until(ExpectedConditions.textToBePresentInElementLocated(byTest(name), expected));
    }

    void screenshot(String name) throws Exception {
        String dir = System.getProperty("atrium.screenshots", "");
        if (dir.isBlank()) {
            return;
        }
        Path out = Files.createDirectories(Path.of(dir)).resolve(name + ".png");
        Path png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(png, out, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        driver.quit();
    }
}
