package io.atrium.server.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.atrium.plugin.api.Event;

import org.junit.jupiter.api.Test;

/** The profile stage's reading of queue messages: what the intake writes comes back, with the objects' JSON as written. */
class QueuedEventsTest {

    private final ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private final QueuedEvents reader = new QueuedEvents(mapper);

    @Test
    void readsWhatTheIntakeWritesKeepingTheObjectsAsText() throws Exception {
        Instant t = Instant.parse("2026-12-02T10:15:30.123Z");
        Event identify = Event.identify().userId("u1").anonymousId("a1").messageId("m1").timestamp(t).receivedAt(t)
                .trait("email", "Ann@Example.com").trait("консент", Map.of("nested", List.of(1, 2.5, true)))
                .identity("crm_id", "c-7").build();
        Event consent = Event.track(ProfileStore.CONSENT_EVENT).userId("u1").messageId("m2").timestamp(t)
                .property("channel", "sms").property("purpose", "marketing").property("granted", false).build();
        Event page = Event.ofType("page").anonymousId("a1").messageId("m3").timestamp(t).property("path", "/cart")
                .build();
        byte[] body = mapper.writeValueAsBytes(List.of(identify, consent, page));

        List<QueuedEvents.Queued> read = reader.read(body);

        assertThat(read).hasSize(3);
        QueuedEvents.Queued i = read.get(0);
        assertThat(i.event().type()).isEqualTo("identify");
        assertThat(i.event().messageId()).isEqualTo("m1");
        assertThat(i.event().timestamp()).isEqualTo(t);
        assertThat(i.event().traits()).containsEntry("email", "Ann@Example.com");
        assertThat(i.event().identities()).containsExactly(Map.entry("crm_id", "c-7"));
        assertThat(mapper.readTree(i.traits())).isEqualTo(mapper.valueToTree(identify.traits()));
        assertThat(i.traits()).contains("консент");
        assertThat(read.get(1).event().properties()).as("a consent change's properties are read")
                .containsEntry("granted", false);
        QueuedEvents.Queued p = read.get(2);
        assertThat(p.event().properties()).as("other properties stay text only").isEmpty();
        assertThat(mapper.readTree(p.properties()).path("path").asText()).isEqualTo("/cart");
        assertThat(p.context()).isEqualTo("{}");
    }

    @Test
    void anEventWithoutMessageIdGetsTheSameDerivedIdEachTimeItIsRead() throws Exception {
        byte[] body = "[{\"type\":\"track\",\"event\":\"x\",\"userId\":\"u\",\"timestamp\":1764670530.5,\"context\":null}]"
                .getBytes(StandardCharsets.UTF_8);
        QueuedEvents.Queued first = reader.read(body).get(0);
        assertThat(first.event().messageId()).startsWith("derived-").isEqualTo(reader.read(body).get(0).event().messageId());
        assertThat(first.event().timestamp()).isEqualTo(Instant.ofEpochSecond(1_764_670_530L, 500_000_000));
        assertThat(first.context()).isEqualTo("{}");
    }

    @Test
    void whatIsNotAnArrayOfEventsIsRefused() {
        for (String bad : List.of("{}", "[1]", "[{\"userId\":\"no type\"}]", "[{\"type\":\"track\",\"context\":[]}]",
                "[{\"type\":\"track\"}] trailing", "[{\"type\":\"track\"")) {
            assertThatThrownBy(() -> reader.read(bad.getBytes(StandardCharsets.UTF_8))).as(bad)
                    .isInstanceOf(java.io.IOException.class);
        }
    }
}
