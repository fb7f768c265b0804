package io.atrium.server.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class JourneyEngineReasonTest {

    @Test
    void aSkippedSendsReasonInTheTraceIsTheErrorsMessageNotAJavaMap() {
        assertThat(JourneyEngine.readable(Map.of("field", "channel", "message", "no started plugin provides channel 'email'")))
                .isEqualTo("no started plugin provides channel 'email'");
        assertThat(JourneyEngine.readable("plain text")).isEqualTo("plain text");
    }
}
