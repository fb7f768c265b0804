package io.atrium.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import io.atrium.server.config.AtriumProperties;
import io.atrium.server.config.DataDirectory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@ExtendWith(OutputCaptureExtension.class)
class AdminTokenTest {

    @TempDir
    Path home;

    @Test
    void aTokenIsGeneratedOnceKeptPrivatelyAndPrintedOnlyTheFirstTime(CapturedOutput output) throws Exception {
        AtriumProperties props = new AtriumProperties();
        props.setHome(home);
        DataDirectory data = new DataDirectory(props);
        new AdminToken(props, data);
        Path file = home.resolve("data/admin-token");
            String token = Files.readString(file).strip();
            assertThat(token).hasSizeGreaterThanOrEqualTo(40);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(output.getAll()).containsOnlyOnce(token);

            AdminToken second = new AdminToken(props, data);
            assertThat(second.matches(token)).isTrue();
            assertThat(second.matches(token + "x")).isFalse();
            assertThat(second.matches(null)).isFalse();
            assertThat(output.getAll()).containsOnlyOnce(token);
    }

    @Test
    void aConfiguredTokenWinsAndIsNeverWrittenOrLogged(CapturedOutput output) {
        AtriumProperties props = new AtriumProperties();
        props.setHome(home);
        props.getSecurity().setAdminToken("configured-secret-token");
        AdminToken token = new AdminToken(props, new DataDirectory(props));
        assertThat(token.matches("configured-secret-token")).isTrue();
        assertThat(home.resolve("data/admin-token")).doesNotExist();
        assertThat(output.getAll()).doesNotContain("configured-secret-token");
    }
}
