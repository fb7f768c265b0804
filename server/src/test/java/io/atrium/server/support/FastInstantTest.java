package io.atrium.server.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import org.junit.jupiter.api.Test;

class FastInstantTest {

    @Test
    void canonicalFormsGiveWhatInstantParseGives() {
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong(-62_000_000_000L, 250_000_000_000L),
                    switch (i % 4) {
                        case 0 -> 0;
                        case 1 -> random.nextInt(1000) * 1_000_000;
                        case 2 -> random.nextInt(1_000_000) * 1_000;
                        default -> random.nextInt(1_000_000_000);
                    });
            String text = t.toString();
            Instant parsed = FastInstant.parseCanonical(text);
            if (parsed != null) {
                assertThat(parsed).as(text).isEqualTo(Instant.parse(text));
            } else {
                assertThat(text).as("only years outside 0000-9999 are left to the full parser").doesNotMatch("\\d{4}-.*");
            }
        }
        assertThat(FastInstant.parseCanonical("2025-01-31T13:45:00.1Z")).isEqualTo(Instant.parse("2025-01-31T13:45:00.100Z"));
        assertThat(FastInstant.parseCanonical("2024-02-29T23:59:59.999999999Z")).isEqualTo(Instant.parse("2024-02-29T23:59:59.999999999Z"));
    }

    @Test
    void everythingElseIsLeftToTheFullParser() {
        for (String s : List.of("", "2025", "2025-01-31", "2025-01-31T13:45Z", "2025-01-31T13:45:00", "2025-01-31t13:45:00Z",
                "2025-01-31T13:45:00z", "2025-01-31T13:45:00+02:00", "2025-01-31T13:45:00.Z", "2025-01-31T13:45:00.1234567890Z",
                "2025-02-30T13:45:00Z", "2025-13-01T13:45:00Z", "2025-00-01T13:45:00Z", "2025-01-00T13:45:00Z", "2025-01-31T24:00:00Z",
                "2025-01-31T13:60:00Z", "2025-01-31T13:45:60Z", "2025-01-31T13:45:00,5Z", "+2025-01-31T13:45:00Z", " 2025-01-31T13:45:00Z",
                "2025-01-31T13:45:00Z ", "2025-1-31T13:45:00.0Z", "2O25-01-31T13:45:00Z", "2025-01-31T13:45:0-Z")) {
            assertThat(FastInstant.parseCanonical(s)).as(s).isNull();
        }
    }

    @Test
    void jacksonModuleReadsTheSameInstants() throws Exception {
        ObjectMapper plain = new ObjectMapper().registerModule(new JavaTimeModule());
        ObjectMapper fast = plain.copy().registerModule(FastInstant.jacksonModule());
        for (String json : List.of("\"2025-01-31T13:45:00Z\"", "\"2025-01-31T13:45:00.123456Z\"", "\"2025-01-31T13:45:00+02:00\"",
                "1738331100", "1738331100.5", "\"+12025-01-31T13:45:00Z\"")) {
            assertThat(fast.readValue(json, Instant.class)).as(json).isEqualTo(plain.readValue(json, Instant.class));
        }
        assertThat(fast.readValue("null", Instant.class)).isNull();
    }

    @Test
    void formatWritesWhatInstantToStringWrites() {
        Random random = new Random(11);
        for (int i = 0; i < 50_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong(-62_000_000_000L, 260_000_000_000L),
                    switch (i % 5) {
                        case 0 -> 0;
                        case 1 -> random.nextInt(1000) * 1_000_000;
                        case 2 -> random.nextInt(1_000_000) * 1_000;
                        case 3 -> random.nextInt(10) * 100_000_000;
                        default -> random.nextInt(1_000_000_000);
                    });
            assertThat(FastInstant.format(t)).isEqualTo(t.toString());
        }
        for (Instant t : List.of(Instant.EPOCH, Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.parse("2024-02-29T00:00:00.000001Z"),
                Instant.ofEpochSecond(253_402_300_800L), Instant.ofEpochSecond(-1), Instant.MIN, Instant.MAX)) {
            assertThat(FastInstant.format(t)).isEqualTo(t.toString());
        }
    }

    @Test
    void jacksonModuleWritesTheSameTextAsJsr310() throws Exception {
        ObjectMapper plain = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        ObjectMapper fast = plain.copy().registerModule(FastInstant.jacksonModule());
        for (Instant t : List.of(Instant.parse("2025-01-31T13:45:00Z"), Instant.parse("2025-01-31T13:45:00.120Z"),
                Instant.parse("2025-01-31T13:45:00.123456789Z"), Instant.parse("+12025-01-31T13:45:00Z"))) {
            assertThat(fast.writeValueAsString(java.util.Map.of("t", t))).isEqualTo(plain.writeValueAsString(java.util.Map.of("t", t)));
        }
    }
}
