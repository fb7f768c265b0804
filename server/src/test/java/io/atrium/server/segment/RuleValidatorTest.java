package io.atrium.server.segment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

class RuleValidatorTest {

    private final ObjectMapper json = new ObjectMapper();

    private List<RuleValidator.Problem> check(String rule) throws Exception {
        JsonNode node = json.readTree(rule);
        return RuleValidator.validate(node);
    }

    @Test
    void theAbandonedCartRuleOfTheDocsIsValid() throws Exception {
        assertThat(check("""
                {"all": [
                  {"event": "added_to_cart", "where": [{"property": "total", "op": "gt", "value": 50000}],
                   "within": "24h", "notFollowedBy": {"event": "order_completed", "within": "1h"}},
                  {"trait": "city", "op": "in", "value": ["Kyiv", "Lviv"]},
                  {"trait": "birthday", "op": "anniversary_within", "value": "7d"},
                  {"consent": {"channel": "email", "purpose": "marketing"}},
                  {"identity": "email"},
                  {"not": {"segment": "vip"}},
                  {"any": [{"event": "page", "count": {"atLeast": 3}, "within": "30d"}, {"trait": "plan", "op": "exists"}]}
                ]}
                """)).isEmpty();
    }

    @Test
    void everyProblemIsReportedWithThePathOfItsNode() throws Exception {
        List<RuleValidator.Problem> problems = check("""
                {"all": [
                  {"trait": "city", "op": "equals", "value": "Kyiv"},
                  {"event": "added_to_cart", "count": {"atLeast": -1}, "within": "yesterday"},
                  {"any": []},
                  {"trait": "age", "op": "between", "value": [18]},
                  {"event": "x", "notFollowedBy": {"event": "order_completed"}},
                  {"trait": "a", "op": "exists", "event": "b"}
                ]}
                """);
        assertThat(problems).extracting(RuleValidator.Problem::path).containsExactlyInAnyOrder(
                "$.all[0].op", "$.all[1].count.atLeast", "$.all[1].within", "$.all[2].any", "$.all[3].value",
                "$.all[4].notFollowedBy.within", "$.all[5]");
        assertThat(problems).filteredOn(p -> p.path().equals("$.all[0].op")).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("unknown operator 'equals'", "eq"));
        assertThat(problems).filteredOn(p -> p.path().equals("$.all[5]")).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("trait and event"));
    }

    @Test
    void unknownFieldsAndNonNodesAreRefused() throws Exception {
        assertThat(check("{\"trait\": \"city\", \"op\": \"eq\", \"value\": \"Kyiv\", \"colour\": 1}"))
                .extracting(RuleValidator.Problem::path).containsExactly("$.colour");
        assertThat(check("[1, 2]")).extracting(RuleValidator.Problem::path).containsExactly("$");
        assertThat(check("{\"not\": 5}")).extracting(RuleValidator.Problem::path).containsExactly("$.not");
    }

    @Test
    void durationsAreMinutesHoursDaysOrWeeks() {
        assertThat(RuleValidator.duration("30m")).hasMinutes(30);
        assertThat(RuleValidator.duration("2w")).hasDays(14);
        assertThat(RuleValidator.duration("1.5h")).isNull();
        assertThat(RuleValidator.duration("PT1H")).isNull();
    }
}
