package io.atrium.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.server.AtriumApplication;
import io.atrium.server.broker.Queues;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jms.core.JmsTemplate;

/**
 * "Production points the same hub at external servers by configuration only": a PostgreSQL and
 * an Artemis broker that the hub did not start, reached through ATRIUM_DB_URL and ATRIUM_BROKER_URL.
 */
class ExternalServersIT {

    @TempDir
    Path dir;

    @Test
    void theHubRunsAgainstAnExternalPostgresqlAndArtemisByConfigurationAlone() throws Exception {
        int brokerPort;
        try (ServerSocket s = new ServerSocket(0)) {
            brokerPort = s.getLocalPort();
        }
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ().setConfiguration(new ConfigurationImpl()
                .setPersistenceEnabled(false).setSecurityEnabled(false)
                .addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + brokerPort));
        broker.start();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setOverrideWorkingDirectory(dir.resolve("pg-rt").toFile())
                .setDataDirectory(dir.resolve("external-pg")).start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            SpringApplication app = new SpringApplication(AtriumApplication.class);
            try (ConfigurableApplicationContext ctx = app.run(
                    "--server.port=0",
                    "--atrium.home=" + dir.resolve("home"),
                    "--atrium.db.url=" + url,
                    "--atrium.db.user=postgres",
                    "--atrium.db.password=",
                    "--atrium.broker.url=tcp://127.0.0.1:" + brokerPort,
                    "--atrium.security.admin-token=t")) {
                int port = ctx.getEnvironment().getProperty("local.server.port", Integer.class);
                HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode json = new ObjectMapper().readTree(health.body());
                assertThat(json.path("status").asText()).isEqualTo("UP");
                assertThat(json.path("components").path("broker").path("details").path("mode").asText()).isEqualTo("external");

                // No embedded servers were started: nothing under the data directory but the lock.
                assertThat(dir.resolve("home/data/postgres")).doesNotExist();
                assertThat(dir.resolve("home/data/broker")).doesNotExist();

                // Flyway migrated the external database, and the intake writes to the external broker.
                try (Connection c = DriverManager.getConnection(url, "postgres", null);
                     ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isGreaterThanOrEqualTo(1);
                }
                ctx.getBean(JmsTemplate.class).convertAndSend(Queues.EVENTS, "[]");
                // Counted as added: the hub's profile stage may already have consumed it.
                assertThat(broker.getActiveMQServer().locateQueue(Queues.EVENTS).getMessagesAdded()).isEqualTo(1);
            }
        } finally {
            broker.stop();
        }
    }
}
