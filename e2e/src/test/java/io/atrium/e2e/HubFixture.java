package io.atrium.e2e;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import io.atrium.plugin.testkit.SmscStub;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;

/**
 * What an e2e test class runs besides its own steps: hubs on the unpacked distribution, the real
 * peers their channel plugins talk to on loopback (GreenMail for SMTP, a WireMock for an HTTP API
 * such as Viber's, the test kit's stub SMSC), the plugins' configuration files pointing at them, a
 * PostgreSQL and an Artemis broker several hubs share, and a console browser. Registered once per
 * class, it stops all it started after the class (browser, hubs, peers, then the shared servers)
 * and, when a test fails, prints what explains it: each hub's log tail, what the peers were sent,
 * and the browser's page (with a screenshot under -Datrium.screenshots).
 *
 * <pre>{@code
 * @RegisterExtension
 * static final HubFixture fixture = new HubFixture();
 *
 * @BeforeAll
 * static void start() throws Exception {
 *     fixture.startSmtp();
 *     hub = fixture.startHub(dir, Map.of());
 *     fixture.configureEmail(hub, "shop@example.com", "Example Shop");
 *     Plugins.awaitStarted(hub, WAIT, "email");
 * }
 * }</pre>
 */
final class HubFixture implements AfterAllCallback, TestWatcher {

    /** The bind credentials of {@link #startSmsc()}, as {@link #configureSmpp} writes them. */
    static final String SMSC_SYSTEM_ID = "atrium";
    static final String SMSC_PASSWORD = "s3cret";

    private final List<Hub> hubs = new ArrayList<>();
    private GreenMail smtp;
    private WireMockServer http;
    private SmscStub smsc;
    private SharedServers shared;
    private ConsoleBrowser browser;

    /** Copies the distribution into {@code dir} and starts it with these extra environment variables. */
    Hub startHub(Path dir, Map<String, String> environment) throws IOException {
        Hub hub = Hub.start(dir, environment);
        hubs.add(hub);
        return hub;
    }

    /** An SMTP server (GreenMail) on a free loopback port. */
    GreenMail startSmtp() throws IOException {
        smtp = new GreenMail(new ServerSetup(Hub.freePort(), "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        return smtp;
    }

    /** A WireMock on a free loopback port, to stub a vendor's HTTP API on. */
    WireMockServer startHttpPeer() {
        http = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        http.start();
        return http;
    }

    /** The test kit's SMSC on a free loopback port, binding {@link #SMSC_SYSTEM_ID} with {@link #SMSC_PASSWORD}. */
    SmscStub startSmsc() throws IOException {
        smsc = new SmscStub(SMSC_SYSTEM_ID, SMSC_PASSWORD);
        return smsc;
    }

    /** A PostgreSQL and a persistent Artemis broker (on a free loopback port) for several hubs to share, under {@code dir}. */
    SharedServers startSharedServers(Path dir) throws Exception {
        shared = SharedServers.start(dir);
        return shared;
    }

    /** Headless Chromium on the hub's console, its profile in {@code profileDir}. */
    ConsoleBrowser startBrowser(Hub hub, Path profileDir) throws Exception {
        browser = new ConsoleBrowser(hub, profileDir);
        return browser;
    }

    /**
     * The email plugin's file: the {@link #startSmtp} server without TLS, sending as {@code from}
     * ({@code fromName}, if not null); {@code more} are further lines such as "rate-per-second: 0".
     */
    void configureEmail(Hub hub, String from, String fromName, String... more) throws IOException {
        hub.configurePlugin("email", lines("""
                smtp-host: 127.0.0.1
                smtp-port: %d
                smtp-security: none
                from: %s
                """.formatted(smtp.getSmtp().getPort(), from) + (fromName == null ? "" : "from-name: " + fromName + "\n"), more));
    }

    /** The viber plugin's file: the {@link #startHttpPeer} WireMock as Viber's REST API (under /pa); {@code more} as "register-webhook: false". */
    void configureViber(Hub hub, String authToken, String senderName, String... more) throws IOException {
        hub.configurePlugin("viber", lines("""
                auth-token: %s
                api-url: http://127.0.0.1:%d/pa
                sender-name: %s
                """.formatted(authToken, http.port(), senderName), more));
    }

    /** The sms plugin's file in smpp mode: the {@link #startSmsc} stub, reconnecting after 1 s, sending from {@code sourceAddress}. */
    void configureSmpp(Hub hub, String sourceAddress) throws IOException {
        hub.configurePlugin("sms", """
                mode: smpp
                smpp-host: 127.0.0.1
                smpp-port: %d
                system-id: %s
                password: %s
                source-address: %s
                reconnect-delay: 1s
                """.formatted(smsc.port(), SMSC_SYSTEM_ID, SMSC_PASSWORD, sourceAddress));
    }

    /** The mails the {@link #startSmtp} server received for {@code address}, in arrival order. */
    List<MimeMessage> mailTo(String address) throws MessagingException {
        List<MimeMessage> out = new ArrayList<>();
        for (MimeMessage m : smtp.getReceivedMessages()) {
            if (m.getAllRecipients()[0].toString().equals(address)) {
                out.add(m);
            }
        }
        return out;
    }

    private static String lines(String yaml, String... more) {
        return yaml + (more.length == 0 ? "" : String.join("\n", more) + "\n");
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        for (Hub hub : hubs) {
            System.err.println("---- hub log tail (" + hub.home + ", " + context.getDisplayName() + ") ----\n" + hub.tail());
        }
        if (smsc != null) {
            System.err.println("---- " + smsc);
        }
        if (http != null) {
            http.getAllServeEvents().forEach(e -> System.err.println("---- http peer got " + e.getRequest().getMethod() + " "
                    + e.getRequest().getUrl() + " " + e.getRequest().getBodyAsString() + " -> " + e.getResponse().getStatus()
                    + " " + e.getResponse().getBodyAsString()));
        }
        if (browser != null) {
            try {
                System.err.println("---- console page (" + browser.driver.getCurrentUrl() + ") ----\n"
                        + browser.driver.findElement(By.tagName("body")).getText());
                browser.screenshot("failure-" + context.getDisplayName().replaceAll("\\W+", "-"));
            } catch (Exception e) {
                System.err.println("---- no console page: " + e);
            }
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        List<Exception> problems = new ArrayList<>();
        List<AutoCloseable> stops = new ArrayList<>();
        if (browser != null) {
            stops.add(browser);
        }
        for (int i = hubs.size() - 1; i >= 0; i--) {
            stops.add(hubs.get(i));
        }
        if (smsc != null) {
            stops.add(smsc);
        }
        if (http != null) {
            stops.add(http::stop);
        }
        if (smtp != null) {
            stops.add(smtp::stop);
        }
        if (shared != null) {
            stops.add(shared);
        }
        for (AutoCloseable stop : stops) {
            try {
                stop.close();
            } catch (Exception e) {
                problems.add(e);
            }
        }
        if (!problems.isEmpty()) {
            Exception first = problems.get(0);
            problems.subList(1, problems.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    /** A PostgreSQL and an Artemis broker the hubs did not start, as a scaled-out installation has them. */
    static final class SharedServers implements AutoCloseable {
        final EmbeddedPostgres postgres;
        final EmbeddedActiveMQ broker;
        final int brokerPort;

        private SharedServers(EmbeddedPostgres postgres, EmbeddedActiveMQ broker, int brokerPort) {
            this.postgres = postgres;
            this.broker = broker;
            this.brokerPort = brokerPort;
        }

        static SharedServers start(Path dir) throws Exception {
            int brokerPort = Hub.freePort();
            EmbeddedActiveMQ broker = new EmbeddedActiveMQ().setConfiguration(new ConfigurationImpl()
                    .setPersistenceEnabled(true).setSecurityEnabled(false)
                    .setJournalDirectory(dir.resolve("broker/journal").toString())
                    .setBindingsDirectory(dir.resolve("broker/bindings").toString())
                    .setLargeMessagesDirectory(dir.resolve("broker/large").toString())
                    .setPagingDirectory(dir.resolve("broker/paging").toString())
                    .addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + brokerPort));
            broker.start();
            try {
                EmbeddedPostgres pg = EmbeddedPostgres.builder().setOverrideWorkingDirectory(dir.resolve("pg-rt").toFile())
                        .setDataDirectory(dir.resolve("pg")).start();
                return new SharedServers(pg, broker, brokerPort);
            } catch (Exception e) {
                broker.stop();
                throw e;
            }
        }

        /** JDBC URL of the shared PostgreSQL (user postgres, no password). */
        String jdbcUrl() {
            return postgres.getJdbcUrl("postgres", "postgres");
        }

        /** The hub's environment for both: ATRIUM_DB_URL, ATRIUM_DB_USER, ATRIUM_BROKER_URL. */
        Map<String, String> environment() {
            return Map.of("ATRIUM_DB_URL", jdbcUrl(), "ATRIUM_DB_USER", "postgres",
                    "ATRIUM_BROKER_URL", "tcp://127.0.0.1:" + brokerPort);
        }

        @Override
        public void close() throws Exception {
            try {
                postgres.close();
            } finally {
                broker.stop();
            }
        }
    }
}
