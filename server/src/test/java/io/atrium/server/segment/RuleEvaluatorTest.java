package io.atrium.server.segment;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

/** The in-memory evaluator's date operators, read as PostgreSQL reads ISO-8601 with {@code ::timestamptz}. */
class RuleEvaluatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-06-15T12:00:00Z");

    private static RuleEvaluator.Facts with(String trait, String value) throws Exception {
        return new RuleEvaluator.Facts(Map.of(trait, JSON.readTree(value)), Set.of(), Map.of(), List.of());
    }

    private static boolean test(String rule, RuleEvaluator.Facts facts, ZoneId zone) throws Exception {
        return new RuleEvaluator(NOW, ref -> null, zone).test(JSON.readTree(rule), facts);
    }

    @Test
    void withinLastAndWithinNextCountFromNowWithBothEndsIncluded() throws Exception {
        String last = "{\"trait\": \"seen\", \"op\": \"within_last\", \"value\": \"7d\"}";
        String next = "{\"trait\": \"seen\", \"op\": \"within_next\", \"value\": \"1h\"}";
        assertThat(test(last, with("seen", "\"2026-06-10T08:00:00Z\""), ZoneOffset.UTC)).isTrue();
        assertThat(test(last, with("seen", "\"2026-06-08T12:00:00Z\""), ZoneOffset.UTC)).isTrue();
        assertThat(test(last, with("seen", "\"2026-06-08T11:59:59Z\""), ZoneOffset.UTC)).isFalse();
        assertThat(test(last, with("seen", "\"2026-06-15T12:00:01Z\""), ZoneOffset.UTC)).isFalse();
        assertThat(test(next, with("seen", "\"2026-06-15T14:30:00+02:00\""), ZoneOffset.UTC)).isTrue();
        assertThat(test(next, with("seen", "\"2026-06-15T13:00:01Z\""), ZoneOffset.UTC)).isFalse();
    }

    @Test
    void aDateWithoutAnOffsetIsReadInTheSessionsTimeZoneAndNonDatesNeverMatch() throws Exception {
        String rule = "{\"trait\": \"seen\", \"op\": \"within_next\", \"value\": \"2h\"}";
        // 13:30 local: 13:30Z in UTC (within the next 2 h), 10:30Z in Kyiv in summer (in the past).
        assertThat(test(rule, with("seen", "\"2026-06-15T13:30:00\""), ZoneOffset.UTC)).isTrue();
        assertThat(test(rule, with("seen", "\"2026-06-15T13:30:00\""), ZoneId.of("Europe/Kyiv"))).isFalse();
        assertThat(test(rule, with("seen", "\"soon\""), ZoneOffset.UTC)).isFalse();
        assertThat(test(rule, with("seen", "20260615"), ZoneOffset.UTC)).isFalse();
        assertThat(test("{\"trait\": \"seen\", \"op\": \"within_last\", \"value\": \"1d\"}", with("seen", "\"2026-06-15\""),
                ZoneOffset.UTC)).isTrue();
    }

    @Test
    void anAnniversaryCountsDaysOfTheYearAndWrapsAroundNewYear() throws Exception {
        String week = "{\"trait\": \"birthday\", \"op\": \"anniversary_within\", \"value\": \"7d\"}";
        assertThat(test(week, with("birthday", "\"1990-06-20\""), ZoneOffset.UTC)).isTrue();
        assertThat(test(week, with("birthday", "\"1990-06-15\""), ZoneOffset.UTC)).isTrue();
        assertThat(test(week, with("birthday", "\"1990-06-14\""), ZoneOffset.UTC)).isFalse();
        assertThat(test(week, with("birthday", "\"1990-06-23\""), ZoneOffset.UTC)).isFalse();
        JsonNode rule = JSON.readTree(week);
        RuleEvaluator lateDecember = new RuleEvaluator(Instant.parse("2026-12-28T12:00:00Z"), ref -> null, ZoneOffset.UTC);
        assertThat(lateDecember.test(rule, with("birthday", "\"1985-01-02\""))).isTrue();
        assertThat(lateDecember.test(rule, with("birthday", "\"1985-01-10\""))).isFalse();
    }
}
