package io.atrium.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {

    @TempDir
    Path home;

    @Test
    void twoHubsCannotShareADataDirectory() {
        AtriumProperties props = new AtriumProperties();
        props.setData(home.resolve("shared-data"));
        DataDirectory first = new DataDirectory(props);
        assertThat(first.root()).isEqualTo(home.resolve("shared-data"));
        // FileChannel locks are per JVM: a second lock attempt in this JVM fails the same way another process would.
        assertThatThrownBy(() -> new DataDirectory(props))
                .hasMessageContaining("in use by another Atrium process")
                .hasMessageContaining("ATRIUM_DATA");
    }
}
