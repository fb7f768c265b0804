package io.atrium.server.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

class CampaignStatsTest {

    private static final Instant AT = Instant.parse("2026-12-02T10:00:00Z");

    private static CampaignStats.Count counted(Duration took) {
        return new CampaignStats.Count(null, Map.of(), Map.of(), AT, took);
    }

    @Test
    void aCheapCountIsNeverReused() {
        assertThat(counted(Duration.ofMillis(5)).reusableAt(AT)).isFalse();
        assertThat(counted(Duration.ofMillis(249)).reusableAt(AT.plusMillis(1))).isFalse();
    }

    @Test
    void aSlowCountIsReusedForFiveTimesWhatItTook() {
        CampaignStats.Count count = counted(Duration.ofSeconds(2));
        assertThat(count.reusableAt(AT.plusSeconds(1))).isTrue();
        assertThat(count.reusableAt(AT.plusMillis(9_999))).isTrue();
        assertThat(count.reusableAt(AT.plusSeconds(10))).isFalse();
    }

    @Test
    void noCountIsReusedForMoreThanThirtySeconds() {
        CampaignStats.Count count = counted(Duration.ofSeconds(20));
        assertThat(count.reusableAt(AT.plusSeconds(29))).isTrue();
        assertThat(count.reusableAt(AT.plusSeconds(30))).isFalse();
    }
}
