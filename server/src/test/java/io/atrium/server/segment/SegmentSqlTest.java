package io.atrium.server.segment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The compiled SQL binds exactly one parameter per placeholder, whatever the rule. */
class SegmentSqlTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static SegmentSql.Condition compile(String rule) throws Exception {
        return SegmentSql.compile(JSON.readTree(rule), ref -> JSON.createObjectNode().put("trait", "vip").put("op", "exists"));
    }

    private static long placeholders(String sql) {
        return sql.chars().filter(c -> c == '?').count();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"all\": [{\"event\": \"cart\", \"where\": [{\"property\": \"total\", \"op\": \"gt\", \"value\": 5}], \"within\": \"1d\", "
                + "\"count\": {\"atLeast\": 0}}, {\"trait\": \"city\", \"op\": \"eq\", \"value\": \"Kyiv\"}]}",
        "{\"any\": [{\"event\": \"cart\", \"count\": {\"atLeast\": 0}, \"notFollowedBy\": {\"event\": \"order\", \"within\": \"1h\"}}, "
                + "{\"identity\": \"email\"}]}",
        "{\"all\": [{\"event\": \"cart\", \"count\": {\"atMost\": 0}, \"within\": \"7d\"}, {\"event\": \"order\", \"count\": {\"exactly\": 2}}, "
                + "{\"segment\": 4}, {\"consent\": {\"channel\": \"email\", \"purpose\": \"marketing\"}}]}",
        "{\"not\": {\"event\": \"order\", \"followedBy\": {\"event\": \"refund\", \"within\": \"30d\", "
                + "\"where\": [{\"property\": \"reason\", \"op\": \"in\", \"value\": [\"late\", \"broken\"]}]}}}",
        "{\"trait\": \"birthday\", \"op\": \"anniversary_within\", \"value\": \"7d\"}"
    })
    void everyPlaceholderHasItsParameter(String rule) throws Exception {
        SegmentSql.Condition c = compile(rule);
        assertThat(c.params()).as(c.sql()).hasSize((int) placeholders(c.sql()));
    }

    @Test
    void atLeastZeroOfAnEventAlwaysHoldsAndBindsNothing() throws Exception {
        SegmentSql.Condition c = compile("{\"event\": \"cart\", \"within\": \"1d\", \"count\": {\"atLeast\": 0}}");
        assertThat(c.sql()).isEqualTo("TRUE");
        assertThat(c.params()).isEmpty();
    }
}
