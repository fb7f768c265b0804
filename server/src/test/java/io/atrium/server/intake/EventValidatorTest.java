package io.atrium.server.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.atrium.plugin.api.Event;

import org.junit.jupiter.api.Test;

class EventValidatorTest {

    private final ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule());
    private final EventValidator validator = new EventValidator(mapper);
    private final Instant received = Instant.parse("2025-06-01T12:00:00Z");

    private JsonNode json(String text) throws Exception {
        return mapper.readTree(text);
    }

    private EventValidator.Envelope envelope(Instant sentAt) {
        return new EventValidator.Envelope(received, "src-1", sentAt, null);
    }

    @Test
    void aSendersClockSkewIsCorrectedAndItsTimestampKept() throws Exception {
        List<EventValidator.Problem> problems = new ArrayList<>();
        // The sender's clock is 2 hours ahead: it stamped the event 10 s before it sent it.
        Event e = validator.read(json("""
                {"userId": "u", "event": "Clicked", "timestamp": "2025-06-01T13:59:50Z", "sentAt": "2025-06-01T14:00:00.000Z"}"""),
                "", "track", envelope(null), problems);
        assertThat(problems).isEmpty();
        assertThat(e.timestamp()).isEqualTo(Instant.parse("2025-06-01T11:59:50Z"));
        assertThat(e.originalTimestamp()).isEqualTo(Instant.parse("2025-06-01T13:59:50Z"));
        assertThat(e.receivedAt()).isEqualTo(received);
        assertThat(e.source()).isEqualTo("src-1");
        assertThat(e.messageId()).hasSize(36);
    }

    @Test
    void timestampsWithoutSentAtAreKeptAndMissingOnesAreReceivedAt() throws Exception {
        List<EventValidator.Problem> problems = new ArrayList<>();
        Event given = validator.read(json("{\"userId\": \"u\", \"timestamp\": \"2025-05-01T10:00:00+02:00\"}"), "", "identify",
                envelope(null), problems);
        Event none = validator.read(json("{\"anonymousId\": \"a\"}"), "", "page", envelope(Instant.parse("2025-06-01T12:30:00Z")), problems);
        Event rudder = validator.read(json("{\"anonymousId\": \"a\", \"originalTimestamp\": \"2025-06-01T12:29:00.000Z\"}"), "", "page",
                envelope(Instant.parse("2025-06-01T12:30:00Z")), problems);
        assertThat(problems).isEmpty();
        assertThat(given.timestamp()).isEqualTo(Instant.parse("2025-05-01T08:00:00Z"));
        assertThat(given.originalTimestamp()).isNull();
        assertThat(none.timestamp()).isEqualTo(received);
        assertThat(rudder.timestamp()).isEqualTo(Instant.parse("2025-06-01T11:59:00Z"));
        assertThat(rudder.originalTimestamp()).isEqualTo(Instant.parse("2025-06-01T12:29:00Z"));
    }

    @Test
    void isoDateTimesAreReadWithAnyOffsetStyleAndOthersAreNot() {
        assertThat(EventValidator.parseInstant("2025-01-31T13:45:00.123Z")).isEqualTo(Instant.parse("2025-01-31T13:45:00.123Z"));
        assertThat(EventValidator.parseInstant("2025-01-31T15:45:00+0200")).isEqualTo(Instant.parse("2025-01-31T13:45:00Z"));
        assertThat(EventValidator.parseInstant("2025-01-31T15:45:00+02:00")).isEqualTo(Instant.parse("2025-01-31T13:45:00Z"));
        assertThat(EventValidator.parseInstant("2025-01-31T13:45:00")).isEqualTo(Instant.parse("2025-01-31T13:45:00Z"));
        assertThat(EventValidator.parseInstant("31/01/2025")).isNull();
        assertThat(EventValidator.parseInstant("2025-01-31")).isNull();
        assertThat(EventValidator.parseInstant("yesterday")).isNull();
    }

    @Test
    void everyProblemIsReportedWithItsPath() throws Exception {
        List<EventValidator.Problem> problems = new ArrayList<>();
        Event e = validator.read(json("""
                {"type": "alias", "userId": {"id": 1}, "traits": [], "properties": "x", "context": 3, "timestamp": 17}"""),
                "batch[7]", null, envelope(null), problems);
        assertThat(e).isNull();
        assertThat(problems).extracting(EventValidator.Problem::field).containsExactly(
                "batch[7].userId", "batch[7].traits", "batch[7].properties", "batch[7].context", "batch[7].timestamp",
                "batch[7].previousId");
    }

    @Test
    void theEnvelopeContextIsMergedUnderTheEventsOwn() throws Exception {
        List<EventValidator.Problem> problems = new ArrayList<>();
        Event e = validator.read(json("{\"userId\": \"u\", \"context\": {\"library\": {\"version\": \"2\"}, \"ip\": \"10.0.0.1\"}}"),
                "", "identify", new EventValidator.Envelope(received, "s", null,
                        json("{\"library\": {\"name\": \"sdk\", \"version\": \"1\"}, \"locale\": \"uk\"}")), problems);
        assertThat(problems).isEmpty();
        assertThat(e.context()).containsEntry("ip", "10.0.0.1").containsEntry("locale", "uk");
        assertThat(e.context().get("library")).isEqualTo(java.util.Map.of("name", "sdk", "version", "2"));
    }

    @Test
    void aNulCharacterIsAProblemAtItsPathAndTheIntakeFindsItInWhatPluginsHand() throws Exception {
        List<EventValidator.Problem> problems = new ArrayList<>();
        Event e = validator.read(json("""
                {"userId": "u\\u0000", "properties": {"a": {"b": ["x", "y\\u0000"]}, "k\\u0000": 1, "fine": "C:\\\\u0000"}}"""),
                "batch[2]", "track", envelope(null), problems);
        assertThat(e).isNull();
        assertThat(problems).extracting(EventValidator.Problem::field)
                .contains("batch[2].userId", "batch[2].properties.a.b[1]", "batch[2].properties.k\\u0000")
                .doesNotContain("batch[2].properties.fine");

        // What Jackson writes for a plugin's event: the escape of U+0000 is found, an escaped backslash before "u0000" is not.
        assertThat(EventIntake.nulAt(mapper.writeValueAsBytes(java.util.Map.of("note", "a\0b")))).isPositive();
        assertThat(EventIntake.nulAt(mapper.writeValueAsBytes(java.util.Map.of("path", "C:\\u0000")))).isEqualTo(-1);
        assertThat(EventIntake.nulAt(mapper.writeValueAsBytes(java.util.Map.of("path", "C:\\\0")))).isPositive();
    }
}
