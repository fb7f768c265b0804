package io.atrium.server.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

/** The campaign grammar of docs/campaigns.md: what parses, and the path and reason of what does not. */
class CampaignDefinitionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<CampaignDefinition.Problem> problems(String json) throws Exception {
        List<CampaignDefinition.Problem> p = new ArrayList<>();
        CampaignDefinition.parse(JSON.readTree(json), p);
        return p;
    }

    private static List<String> paths(String json) throws Exception {
        return problems(json).stream().map(CampaignDefinition.Problem::path).toList();
    }

    @Test
    void theAbandonedCartCampaignOfTheDocsParses() throws Exception {
        JsonNode n = JSON.readTree("""
                {"name": "Abandoned cart", "purpose": "marketing",
                 "trigger": {"type": "segment_entered", "segment": 12},
                 "goal": {"event": "order_completed", "within": "7d"},
                 "policy": {"quietHours": {"from": "21:00", "to": "09:00"}, "timeZone": "Europe/Kyiv",
                            "caps": {"total": {"max": 1, "per": "1d"}, "sms": {"max": 2, "per": "7d"}}},
                 "steps": [
                   {"id": "remind", "type": "cascade", "channels": [
                      {"channel": "email", "template": "cart-email", "until": "opened", "within": "2h"},
                      {"channel": "viber", "template": "cart-viber", "until": "opened", "within": "30m"},
                      {"channel": "sms", "template": "cart-sms"}]},
                   {"id": "pause", "type": "wait", "duration": "1d"},
                   {"id": "clicked?", "type": "branch", "if": {"lastMessage": "clicked"}, "then": "exit", "else": "next"},
                   {"id": "coupon", "type": "send", "channel": "email", "template": "cart-coupon"}]}""");
        List<CampaignDefinition.Problem> p = new ArrayList<>();
        CampaignDefinition d = CampaignDefinition.parse(n, p);
        assertThat(p).isEmpty();
        assertThat(d.trigger().segment()).isEqualTo(12);
        assertThat(d.goal().within()).isEqualTo(Duration.ofDays(7));
        assertThat(d.policy().quietFrom()).isEqualTo(LocalTime.of(21, 0));
        assertThat(d.policy().timeZone()).isEqualTo(ZoneId.of("Europe/Kyiv"));
        assertThat(d.policy().caps()).containsKeys("total", "sms");
        assertThat(d.steps()).extracting(CampaignDefinition.Step::type).containsExactly("cascade", "wait", "branch", "send");
        assertThat(d.steps().get(0).channels().get(1).within()).isEqualTo(Duration.ofMinutes(30));
        assertThat(d.steps().get(0).channels().get(2).until()).isEqualTo("delivered");
        assertThat(d.indexOf("coupon")).isEqualTo(3);
    }

    @Test
    void everyProblemIsNamedByItsPath() throws Exception {
        assertThat(paths("""
                {"trigger": {"type": "event"}, "colour": "red",
                 "steps": [{"id": "a", "type": "cascade", "channels": [{"channel": "email", "template": "t", "until": "read"},
                                                                      {"channel": "sms", "template": "s"}]},
                           {"id": "a", "type": "wait"},
                           {"type": "branch", "if": {"lastMessage": "opened"}, "then": "nowhere"},
                           {"type": "fly"}]}"""))
                .contains("$.name", "$.colour", "$.trigger.event", "$.steps[0].channels[0].until",
                        "$.steps[0].channels[0].within", "$.steps[1].id", "$.steps[1]", "$.steps[2]", "$.steps[3].type");
    }

    @Test
    void aBroadcastNeedsAnAudienceAndDurationsAndTimesAreChecked() throws Exception {
        List<CampaignDefinition.Problem> p = problems("""
                {"name": "n", "trigger": {"type": "broadcast"},
                 "policy": {"quietHours": {"from": "late", "to": "09:00"}, "timeZone": "Mars/Olympus", "caps": {"total": {"max": -1}}},
                 "steps": [{"type": "wait", "duration": "forever"}, {"type": "wait", "event": "x"}]}""");
        assertThat(p).extracting(CampaignDefinition.Problem::path).contains("$.audience", "$.policy.quietHours.from",
                "$.policy.timeZone", "$.policy.caps.total.max", "$.steps[0].duration", "$.steps[1].timeout");
        assertThat(p).filteredOn(x -> x.path().equals("$.audience")).singleElement()
                .satisfies(x -> assertThat(x.message()).contains("broadcast campaign needs an audience"));
    }

    @Test
    void aBranchRuleIsCheckedWithTheSegmentGrammar() throws Exception {
        assertThat(paths("""
                {"name": "n", "trigger": {"type": "event", "event": "e"},
                 "steps": [{"type": "branch", "if": {"rule": {"trait": "city", "op": "nearly", "value": "Kyiv"}}}]}"""))
                .anySatisfy(path -> assertThat(path).startsWith("$.steps[0].if.rule"));
    }

    @Test
    void quietHoursAcrossMidnightAndTheNextTimeOfDayInThePersonsZone() {
        LocalTime from = LocalTime.of(21, 0);
        LocalTime to = LocalTime.of(9, 0);
        assertThat(JourneyEngine.inWindow(LocalTime.of(23, 30), from, to)).isTrue();
        assertThat(JourneyEngine.inWindow(LocalTime.of(3, 0), from, to)).isTrue();
        assertThat(JourneyEngine.inWindow(LocalTime.of(9, 0), from, to)).isFalse();
        assertThat(JourneyEngine.inWindow(LocalTime.of(12, 0), from, to)).isFalse();
        assertThat(JourneyEngine.inWindow(LocalTime.of(13, 0), LocalTime.of(12, 0), LocalTime.of(14, 0))).isTrue();
        // 22:00 in Kyiv (UTC+2 in winter) is 20:00 UTC; the window opens at 09:00 Kyiv = 07:00 UTC the next day.
        Instant now = Instant.parse("2026-12-01T20:00:00Z");
        assertThat(JourneyEngine.nextTimeOfDay(now, to, ZoneId.of("Europe/Kyiv"))).isEqualTo(Instant.parse("2026-12-02T07:00:00Z"));
        assertThat(JourneyEngine.nextTimeOfDay(now, LocalTime.of(23, 0), ZoneId.of("Europe/Kyiv")))
                .isEqualTo(Instant.parse("2026-12-01T21:00:00Z"));
    }

    @Test
    void eventTriggersMatchPropertiesExactly() throws Exception {
        var where = new java.util.LinkedHashMap<String, JsonNode>();
        where.put("status", JSON.readTree("\"ready\""));
        assertThat(CampaignTriggers.matches(where, JSON.readTree("{\"status\": \"ready\", \"order\": 7}"))).isTrue();
        assertThat(CampaignTriggers.matches(where, JSON.readTree("{\"status\": \"packing\"}"))).isFalse();
        assertThat(CampaignTriggers.matches(where, JSON.readTree("{}"))).isFalse();
        where.put("total", JSON.readTree("50000"));
        assertThat(CampaignTriggers.matches(where, JSON.readTree("{\"status\": \"ready\", \"total\": 50000}"))).isTrue();
    }
}
