package io.atrium.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StartupReportTest {

    @Test
    void urlsAreLoggedWithoutTheirSecrets() {
        assertThat(StartupReport.maskUrl("jdbc:postgresql://db.internal:5432/atrium?user=atrium&password=hunter2&ssl=true"))
                .isEqualTo("jdbc:postgresql://db.internal:5432/atrium?user=atrium&password=******&ssl=true");
        assertThat(StartupReport.maskUrl("tcp://admin:hunter2@broker.internal:61616"))
                .isEqualTo("tcp://******@broker.internal:61616");
        assertThat(StartupReport.maskUrl("tcp://broker.internal:61616")).isEqualTo("tcp://broker.internal:61616");
    }
}
