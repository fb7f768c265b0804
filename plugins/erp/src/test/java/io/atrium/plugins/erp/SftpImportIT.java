package io.atrium.plugins.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files on a real SFTP server: Apache MINA SSHD on loopback with password login and a host key the
 * plugin checks against a known_hosts file. The server's root is a @TempDir, so the test drops
 * files into it and looks at its archive and error folders directly.
 */
class SftpImportIT {

    static final String USER = "erp-export";
    static final String PASSWORD = "sftp-Pa55-word";

    @TempDir
    Path dir;
    Path serverRoot;
    Path outbox;
    Path knownHosts;
    SshServer sshd;

    @BeforeEach
    void startServer() throws Exception {
        serverRoot = Files.createDirectories(dir.resolve("server"));
        outbox = Files.createDirectories(serverRoot.resolve("outbox"));
        sshd = SshServer.setUpDefaultServer();
        sshd.setHost("127.0.0.1");
        sshd.setPort(0);
        SimpleGeneratorHostKeyProvider keys = new SimpleGeneratorHostKeyProvider(dir.resolve("host.key"));
        keys.setAlgorithm("EC");
        sshd.setKeyPairProvider(keys);
        sshd.setPasswordAuthenticator((user, password, session) -> USER.equals(user) && PASSWORD.equals(password));
        sshd.setSubsystemFactories(List.of(new SftpSubsystemFactory()));
        sshd.setFileSystemFactory(new VirtualFileSystemFactory(serverRoot));
        sshd.start();
        KeyPair host = keys.loadKeys(null).iterator().next();
        knownHosts = Files.writeString(dir.resolve("known_hosts"),
                "[127.0.0.1]:" + sshd.getPort() + " " + PublicKeyEntry.toString(host.getPublic()) + "\n");
    }

    @AfterEach
    void stopServer() throws Exception {
        sshd.stop(true);
    }

    Map<String, Object> config() {
        Map<String, Object> c = new HashMap<>();
        c.put("sources", "sftp");
        c.put("sftp.host", "127.0.0.1");
        c.put("sftp.port", sshd.getPort());
        c.put("sftp.user", USER);
        c.put("sftp.password", PASSWORD);
        c.put("sftp.known-hosts-file", knownHosts.toString());
        c.put("sftp.directory", "outbox");
        c.put("files.poll-interval", "300ms");
        c.put("files.min-age", "100ms");
        c.put("files.csv-delimiter", ";");
        c.put("mapping.type", "identify");
        c.put("mapping.identities.erp_id", "customer_id");
        c.put("mapping.identities.email", "email?");
        c.put("mapping.identities.phone", "phone?");
        c.put("mapping.traits", List.of("name", "city?"));
        c.put("mapping.consents", List.of("email.marketing=email_opt_in?"));
        c.put("mapping.message-id", List.of("customer_id", "changed"));
        return c;
    }

    void drop(String name, String content) throws Exception {
        Path tmp = dir.resolve(name + ".writing");
        Files.writeString(tmp, content);
        Files.move(tmp, outbox.resolve(name));
    }

    @Test
    void filesOnTheServerAreImportedAndMovedToItsArchiveAndErrorFoldersWithTheReport() throws Exception {
        try (Running r = Running.start(config())) {
            drop("customers-1.csv", """
                    customer_id;name;email;phone;city;email_opt_in;changed
                    C-1;Ann;ann@example.com;+380501112233;Kyiv;yes;2026-03-01T10:00:00Z
                    C-2;Bob;;;;no;2026-03-01T10:00:00Z
                    """);
            drop("customers-2.csv", """
                    customer_id;name;email;phone;city;email_opt_in;changed
                    C-3;Eve;eve@example.com;;Lviv;maybe;2026-03-01T10:00:00Z
                    C-4;Dan;dan@example.com;;Odesa;1;2026-03-01T10:00:00Z
                    """);
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(outbox.resolve("archive/customers-1.csv"))
                    && Files.exists(outbox.resolve("error/customers-2.csv"))
                    && Files.exists(outbox.resolve("error/customers-2.csv.report.txt")));
            assertThat(FileImportIT.names(outbox)).isEmpty();
            assertThat(r.ctx.submittedEvents()).extracting(e -> e.identities().get("erp_id"))
                    .containsExactlyInAnyOrder("C-1", "C-2", "C-4");
            assertThat(r.ctx.submittedEvents()).filteredOn(e -> e.identities().get("erp_id").equals("C-1")).singleElement()
                    .satisfies(e -> {
                        assertThat(e.type()).isEqualTo("identify");
                        assertThat(e.identities()).containsEntry("phone", "+380501112233");
                        assertThat(e.traits()).containsEntry("name", "Ann").containsEntry("city", "Kyiv")
                                .containsEntry("consents", Map.of("email", Map.of("marketing", true)));
                        assertThat(e.context()).containsEntry("erp", Map.of("source", "sftp",
                                "position", "customers-1.csv row 1 (line 2)"));
                    });
            assertThat(Files.readString(outbox.resolve("error/customers-2.csv.report.txt"))).contains(
                    "file: customers-2.csv (csv)", "records: 2 read, 1 imported",
                    "customers-2.csv row 1 (line 2): field 'email_opt_in': 'maybe' is not a boolean");
            // Nothing of the transfer is left in the plugin's work folder
            assertThat(FileImportIT.names(r.dataDirectory().resolve("work"))).isEmpty();
        }
    }

    @Test
    void ofTwoHubNodesOnlyTheOneHoldingTheLeaseReadsTheServer() throws Exception {
        try (Running a = Running.start(config(), null, true);
             Running b = Running.start(config(), a.ctx.state(), false)) {
            drop("customers-1.csv", "customer_id;name;changed\nC-1;Ann;2026-03-01T10:00:00Z\n");
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(outbox.resolve("archive/customers-1.csv")));
            assertThat(a.ctx.submittedEvents()).extracting(e -> e.identities().get("erp_id")).containsExactly("C-1");
            assertThat(b.ctx.submittedEvents()).isEmpty();

            // a gives the lease up (it stops, or dies and its lease runs out); b takes it and reads the next file
            a.ctx.holdLeases(false);
            b.ctx.holdLeases(true);
            drop("customers-2.csv", "customer_id;name;changed\nC-2;Bob;2026-03-01T10:00:00Z\n");
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(outbox.resolve("archive/customers-2.csv")));
            assertThat(b.ctx.submittedEvents()).extracting(e -> e.identities().get("erp_id")).containsExactly("C-2");
            assertThat(a.ctx.submittedEvents()).extracting(e -> e.identities().get("erp_id")).containsExactly("C-1");
        }
    }

    @Test
    void aServerWhoseHostKeyIsNotTheKnownOneIsNeverLoggedInto() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(256);
        Files.writeString(knownHosts, "[127.0.0.1]:" + sshd.getPort() + " "
                + PublicKeyEntry.toString(gen.generateKeyPair().getPublic()) + "\n");
        int[] logins = {0};
        sshd.setPasswordAuthenticator((user, password, session) -> {
            logins[0]++;
            return true;
        });
        try (Running r = Running.start(config())) {
            drop("customers.csv", "customer_id;name;changed\nC-1;Ann;2026-03-01T10:00:00Z\n");
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> Files.exists(outbox.resolve("customers.csv")) && r.ctx.submittedEvents().isEmpty());
            assertThat(logins[0]).isZero();
        }
    }

    @Test
    void aWrongPasswordLeavesTheFilesWhereTheyAre() throws Exception {
        Map<String, Object> c = config();
        c.put("sftp.password", "wrong-password");
        try (Running r = Running.start(c)) {
            drop("customers.csv", "customer_id;name;changed\nC-1;Ann;2026-03-01T10:00:00Z\n");
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> Files.exists(outbox.resolve("customers.csv")) && r.ctx.submittedEvents().isEmpty());
        }
    }
}
