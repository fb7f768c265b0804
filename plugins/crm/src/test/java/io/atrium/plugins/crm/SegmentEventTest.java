package io.atrium.plugins.crm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class SegmentEventTest {

    @Test
    void readsTheHubsMap() {
        SegmentEvent e = SegmentEvent.from(Map.of("type", "entered", "segmentId", 12L, "segmentName", "VIP",
                "profileId", 42L, "at", "2025-03-01T10:00:00Z",
                "identities", Map.of("crm_id", "901", "email", "Ann@Example.com")));
        assertThat(e.entered()).isTrue();
        assertThat(e.segmentId()).isEqualTo(12);
        assertThat(e.segmentName()).isEqualTo("VIP");
        assertThat(e.profileId()).isEqualTo("42");
        assertThat(e.crmId()).isEqualTo("901");
        assertThat(e.email()).isEqualTo("ann@example.com");
        assertThat(e.type()).isEqualTo("entered");
    }

    @Test
    void readsJsonTextAndIdentitiesMayBeMissing() {
        SegmentEvent e = SegmentEvent.from("{\"type\":\"exited\",\"segmentId\":\"7\",\"profileId\":1}");
        assertThat(e.entered()).isFalse();
        assertThat(e.segmentId()).isEqualTo(7);
        assertThat(e.crmId()).isNull();
        assertThat(e.email()).isNull();
    }

    @Test
    void namesTheFieldThatIsWrong() {
        assertThatThrownBy(() -> SegmentEvent.from(Map.of("type", "joined", "segmentId", 1)))
                .hasMessageContaining("'type' must be entered or exited");
        assertThatThrownBy(() -> SegmentEvent.from(Map.of("type", "entered", "segmentId", "vip")))
                .hasMessageContaining("'segmentId' must be a number");
        assertThatThrownBy(() -> SegmentEvent.from(42)).hasMessageContaining("Map or a JSON object");
        assertThatThrownBy(() -> SegmentEvent.from("not json")).hasMessageContaining("Map or a JSON object");
    }
}
