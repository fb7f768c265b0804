package io.atrium.server.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.atrium.plugin.api.Event;
import io.atrium.server.intake.EventIntake;
import io.atrium.server.support.HubTestSupport;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Generated people (built through the real intake and profile stage) and generated rules: the
 * members the compiled SQL finds must be exactly those a brute-force evaluation of the rule over
 * each person's stored facts finds, time windows and "followed by" included.
 */
class SegmentCorrectnessIT extends HubTestSupport {

    private static final JsonNodeFactory J = JsonNodeFactory.instance;
    private static final String[] CITIES = {"kyiv", "lviv", "odesa"};
    private static final String[] EVENTS = {"added_to_cart", "order_completed", "viewed_product"};
    private static final int[] TOTALS = {100, 900, 5000, 70000};
    private static final Duration[] AGO = {Duration.ofMinutes(10), Duration.ofMinutes(45), Duration.ofHours(2),
            Duration.ofHours(5), Duration.ofDays(2), Duration.ofDays(10), Duration.ofDays(40)};
    private static final String[] WINDOWS = {"1h", "1d", "7d", "30d"};
    private static final String[] FOLLOW = {"30m", "3h", "1d"};

    @Autowired
    EventIntake intake;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    SegmentMembers members;

    private final Random random = new Random(20261124L);

    @Test
    void theCompiledSqlSelectsExactlyWhomTheRuleDescribes() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Instant base = Instant.now();
        List<Event> events = new ArrayList<>();
        for (int p = 0; p < 40; p++) {
            String user = "gen-" + p + "-" + run;
            Event.Builder identify = Event.identify().userId(user).messageId(user + "-identify").timestamp(base.minus(Duration.ofDays(60)))
                    .trait("run", run).trait("city", pick(CITIES)).trait("age", 18 + random.nextInt(50));
            if (random.nextBoolean()) {
                identify.trait("plan", random.nextBoolean() ? "free" : "gold");
            }
            if (random.nextInt(3) == 0) {
                identify.trait("email", user + "@example.com");
            }
            if (random.nextInt(3) > 0) {
                identify.trait("consents", Map.of("email", Map.of("marketing", random.nextBoolean())));
            }
            events.add(identify.build());
            int n = random.nextInt(7);
            for (int i = 0; i < n; i++) {
                events.add(Event.track(pick(EVENTS)).userId(user).messageId(user + "-e" + i)
                        .timestamp(base.minus(AGO[random.nextInt(AGO.length)]))
                        .property("total", TOTALS[random.nextInt(TOTALS.length)]).build());
            }
        }
        intake.submit(events);
        String[] ids = events.stream().map(Event::messageId).toArray(String[]::new);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                jdbc.queryForObject("SELECT count(*) FROM events WHERE message_id = ANY(?)", Long.class, (Object) ids) == ids.length);

        Map<Long, RuleEvaluator.Facts> people = facts(run);
        assertThat(people).hasSize(40);

        int telling = 0;
        for (int r = 0; r < 80; r++) {
            JsonNode rule = rule(0);
            assertThat(RuleValidator.validate(rule)).as(rule.toString()).isEmpty();
            ObjectNode scoped = J.objectNode();
            scoped.putArray("all").add(J.objectNode().put("trait", "run").put("op", "eq").put("value", run)).add(rule);

            Set<Long> bySql = new TreeSet<>();
            members.members(scoped, 0, 1000).members().forEach(m -> bySql.add(m.profileId()));
            RuleEvaluator evaluator = new RuleEvaluator(Instant.now(), ref -> null);
            Set<Long> byHand = new TreeSet<>();
            people.forEach((id, facts) -> {
                if (evaluator.test(scoped, facts)) {
                    byHand.add(id);
                }
            });
            assertThat(bySql).as("members of %s", rule).isEqualTo(byHand);
            if (!bySql.isEmpty() && bySql.size() < people.size()) {
                telling++;
            }
        }
        // The comparison means something only if most rules split the people.
        assertThat(telling).as("rules that select some but not all of the people").isGreaterThanOrEqualTo(40);
    }

    private Map<Long, RuleEvaluator.Facts> facts(String run) {
        List<Long> ids = jdbc.queryForList("SELECT profile_id FROM traits WHERE name = 'run' AND value = to_jsonb(?::text)",
                Long.class, run);
        Long[] arr = ids.toArray(Long[]::new);
        Map<Long, Map<String, JsonNode>> traits = new HashMap<>();
        Map<Long, Set<String>> identities = new HashMap<>();
        Map<Long, Map<String, Boolean>> consents = new HashMap<>();
        Map<Long, List<RuleEvaluator.EventFact>> evs = new HashMap<>();
        for (Long id : ids) {
            traits.put(id, new HashMap<>());
            identities.put(id, new HashSet<>());
            consents.put(id, new HashMap<>());
            evs.put(id, new ArrayList<>());
        }
        jdbc.query("SELECT profile_id, name, value::text FROM traits WHERE profile_id = ANY(?)", rs -> {
            traits.get(rs.getLong(1)).put(rs.getString(2), readJson(rs.getString(3)));
        }, (Object) arr);
        jdbc.query("SELECT profile_id, type FROM identities WHERE profile_id = ANY(?)", rs -> {
            identities.get(rs.getLong(1)).add(rs.getString(2));
        }, (Object) arr);
        jdbc.query("SELECT profile_id, channel, purpose, granted FROM consents WHERE profile_id = ANY(?)", rs -> {
            consents.get(rs.getLong(1)).put(RuleEvaluator.Facts.consentKey(rs.getString(2), rs.getString(3)), rs.getBoolean(4));
        }, (Object) arr);
        jdbc.query("SELECT profile_id, type, event, timestamp, properties::text FROM events WHERE profile_id = ANY(?)", rs -> {
            evs.get(rs.getLong(1)).add(new RuleEvaluator.EventFact(rs.getString(2), rs.getString(3),
                    rs.getTimestamp(4).toInstant(), readJson(rs.getString(5))));
        }, (Object) arr);
        Map<Long, RuleEvaluator.Facts> out = new LinkedHashMap<>();
        for (Long id : ids) {
            out.put(id, new RuleEvaluator.Facts(traits.get(id), identities.get(id), consents.get(id), evs.get(id)));
        }
        return out;
    }

    private JsonNode rule(int depth) {
        int kind = random.nextInt(depth >= 2 ? 5 : 8);
        switch (kind) {
            case 5, 6 -> {
                ObjectNode n = J.objectNode();
                ArrayNode items = n.putArray(kind == 5 ? "all" : "any");
                int k = 1 + random.nextInt(3);
                for (int i = 0; i < k; i++) {
                    items.add(rule(depth + 1));
                }
                return n;
            }
            case 7 -> {
                ObjectNode n = J.objectNode();
                n.set("not", rule(depth + 1));
                return n;
            }
            case 0 -> {
                return traitRule();
            }
            case 1 -> {
                return J.objectNode().put("identity", random.nextBoolean() ? "email" : "user_id")
                        .put("op", random.nextBoolean() ? "exists" : "not_exists");
            }
            case 2 -> {
                ObjectNode n = J.objectNode();
                n.putObject("consent").put("channel", "email").put("purpose", "marketing").put("granted", random.nextBoolean());
                return n;
            }
            default -> {
                return eventRule();
            }
        }
    }

    private JsonNode traitRule() {
        ObjectNode n = J.objectNode();
        switch (random.nextInt(7)) {
            case 0 -> n.put("trait", "city").put("op", "eq").put("value", pick(CITIES));
            case 1 -> n.put("trait", "city").put("op", random.nextBoolean() ? "in" : "not_in").putArray("value").add(pick(CITIES)).add(pick(CITIES));
            case 2 -> n.put("trait", "age").put("op", pick(new String[] {"gt", "gte", "lt", "lte"})).put("value", 18 + random.nextInt(50));
            case 3 -> n.put("trait", "age").put("op", "between").putArray("value").add(20 + random.nextInt(20)).add(40 + random.nextInt(30));
            case 4 -> n.put("trait", "plan").put("op", random.nextBoolean() ? "exists" : "not_exists");
            case 5 -> n.put("trait", "plan").put("op", random.nextBoolean() ? "eq" : "ne").put("value", random.nextBoolean() ? "gold" : "free");
            default -> n.put("trait", "city").put("op", "contains").put("value", random.nextBoolean() ? "KY" : "v");
        }
        return n;
    }

    private JsonNode eventRule() {
        ObjectNode n = J.objectNode().put("event", pick(EVENTS));
        if (random.nextBoolean()) {
            n.putArray("where").addObject().put("property", "total").put("op", pick(new String[] {"gt", "lt", "eq", "ne"}))
                    .put("value", TOTALS[random.nextInt(TOTALS.length)]);
        }
        if (random.nextBoolean()) {
            n.put("within", pick(WINDOWS));
        }
        if (random.nextInt(3) == 0) {
            n.putObject("count").put(pick(new String[] {"atLeast", "atMost", "exactly"}), random.nextInt(3));
        }
        int rel = random.nextInt(4);
        if (rel == 1 || rel == 2) {
            n.putObject(rel == 1 ? "followedBy" : "notFollowedBy").put("event", pick(EVENTS)).put("within", pick(FOLLOW));
        }
        return n;
    }

    private <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }
}
