package io.atrium.server.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
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

    /**
     * The moment the stage writes for each person ({@link SegmentSql#nextChange}, segment_wakeups) is never
     * after the first moment at which the brute-force evaluation's answer changes with the clock alone: for
     * generated rules (windows, "not followed by", date traits) over generated people, the answer is
     * evaluated just after every moment at which it can flip within 60 days.
     */
    @Test
    void theNextMomentTimeCanChangeAnAnswerIsNeverMissed() {
        String run = "w" + UUID.randomUUID().toString().substring(0, 8);
        Instant base = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        ZoneId zone = ZoneId.of(jdbc.queryForObject("SHOW TimeZone", String.class));
        List<Event> events = new ArrayList<>();
        List<Duration> offsets = new ArrayList<>();
        for (int d = -40; d <= 40; d += 3) {
            offsets.add(Duration.ofDays(d).plusMinutes(random.nextInt(1440)));
        }
        for (int p = 0; p < 40; p++) {
            String user = "wake-" + p + "-" + run;
            events.add(Event.identify().userId(user).messageId(user + "-identify").timestamp(base.minus(Duration.ofDays(60)))
                    .trait("run", run).trait("city", pick(CITIES))
                    .trait("renewal", base.plus(offsets.get(random.nextInt(offsets.size()))).toString())
                    .trait("seen", base.minus(offsets.get(random.nextInt(offsets.size())).abs()).toString())
                    .trait("birthday", LocalDate.ofInstant(base.plus(offsets.get(random.nextInt(offsets.size()))), ZoneOffset.UTC)
                            .minusYears(30).toString()).build());
            int n = random.nextInt(7);
            for (int i = 0; i < n; i++) {
                events.add(Event.track(pick(EVENTS)).userId(user).messageId(user + "-e" + i)
                        .timestamp(base.minus(AGO[random.nextInt(AGO.length)]))
                        .property("total", TOTALS[random.nextInt(TOTALS.length)]).build());
            }
        }
        submit(events);
        Map<Long, RuleEvaluator.Facts> people = facts(run);
        assertThat(people).hasSize(40);

        // Every moment at which an answer can flip: an event's time plus a window, a date plus or minus one, a midnight.
        java.util.TreeSet<Instant> moments = new java.util.TreeSet<>();
        List<Duration> windows = new ArrayList<>();
        for (String w : WINDOWS) {
            windows.add(RuleValidator.duration(w));
        }
        for (String w : FOLLOW) {
            windows.add(RuleValidator.duration(w));
        }
        windows.add(Duration.ZERO);
        people.values().forEach(f -> {
            f.events().forEach(e -> windows.forEach(w -> moments.add(e.timestamp().plus(w))));
            for (String t : List.of("renewal", "seen")) {
                Instant d = Instant.parse(f.traits().get(t).asText());
                windows.forEach(w -> {
                    moments.add(d.plus(w));
                    moments.add(d.minus(w));
                });
            }
        });
        for (int d = 0; d <= 61; d++) {
            moments.add(base.atZone(zone).toLocalDate().plusDays(d).atStartOfDay(zone).toInstant());
        }
        java.util.NavigableSet<Instant> ahead = moments.subSet(base, false, base.plus(Duration.ofDays(60)), true);

        extended = true;
        int checked = 0;
        try {
            for (int r = 0; r < 60; r++) {
                JsonNode rule = rule(0);
                assertThat(RuleValidator.validate(rule)).as(rule.toString()).isEmpty();
                Map<Long, Instant> next = new HashMap<>();
                SegmentSql.Condition c = members.nextChange(rule, List.of(), base);
                if (c != null) {
                    List<Object> params = new ArrayList<>(c.params());
                    params.add(people.keySet().toArray(Long[]::new));
                    jdbc.query("SELECT p.id, " + c.sql() + " FROM profiles p WHERE p.id = ANY(?)", rs -> {
                        if (rs.getTimestamp(2) != null) {
                            next.put(rs.getLong(1), rs.getTimestamp(2).toInstant());
                        }
                    }, params.toArray());
                }
                for (Map.Entry<Long, RuleEvaluator.Facts> person : people.entrySet()) {
                    boolean now = new RuleEvaluator(base, ref -> null, zone).test(rule, person.getValue());
                    Instant flip = null;
                    for (Instant m : ahead) {
                        if (new RuleEvaluator(m.plusMillis(1), ref -> null, zone).test(rule, person.getValue()) != now) {
                            flip = m;
                            break;
                        }
                    }
                    if (flip != null) {
                        checked++;
                        assertThat(next.get(person.getKey())).as("the next moment of %s for %s, whose answer flips at %s", rule,
                                person.getKey(), flip).isNotNull().isBeforeOrEqualTo(flip);
                    }
                }
            }
        } finally {
            extended = false;
        }
        // The comparison means something only if the clock changes many answers.
        assertThat(checked).as("(rule, person) pairs whose answer the clock changes within 60 days").isGreaterThanOrEqualTo(100);
    }

    @Autowired
    SegmentStore store;

    /**
     * People who arrive as several profiles (a logged-in user id, one or two anonymous devices) and are
     * merged later (a sign-in, or an identify on a device with the e-mail the user id already has), against
     * 40 saved segments (time windows, "not followed by", date traits, references to other segments). Before
     * and after the merges three answers must agree for every segment: the members the segment stage keeps in
     * real time from profile changes, the compiled SQL, and a brute-force evaluation over what the scenario
     * itself says each person is (all events of the person's devices, newest trait wins), not over what the
     * hub stored.
     */
    @Test
    void mergedPeopleAreInTheSegmentsTheirCombinedDataQualifiesForInRealTimeAndInSql() throws Exception {
        String run = "m" + UUID.randomUUID().toString().substring(0, 8);
        Instant base = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        ZoneId sessionZone = ZoneId.of(jdbc.queryForObject("SHOW TimeZone", String.class));
        extended = true;
        Map<Long, JsonNode> rules = new LinkedHashMap<>();
        Announcements announced = new Announcements();
        try (announced) {
            // The segments exist before the people: their members are built by the real-time path.
            for (int r = 0; r < 40; r++) {
                ObjectNode scoped = J.objectNode();
                scoped.putArray("all").add(J.objectNode().put("trait", "run").put("op", "eq").put("value", run)).add(rule(0));
                assertThat(RuleValidator.validate(scoped)).as(scoped.toString()).isEmpty();
                long id = store.create("correctness " + run + " " + r, "", scoped).id();
                rules.put(id, scoped);
                refs.add(id);
            }
            Scenario scenario = new Scenario(run, base);
            scenario.people(30);

            submit(scenario.phase(0));
            Map<Long, Set<String>> before = agree("before the merges", scenario, rules, sessionZone);
            Map<String, Set<String>> fragments = scenario.model.groups();

            submit(scenario.phase(1));
            Map<Long, Set<String>> after = agree("after the merges", scenario, rules, sessionZone);
            Map<String, Set<String>> people = scenario.model.groups();

            assertThat(people.size()).as("profiles left after the merges, of %d before", fragments.size())
                    .isLessThanOrEqualTo(fragments.size() - 15);
            // The comparison is about merges only if merges change who is in: count the people who are in a
            // segment only on their combined data, and those whom a merge took out.
            int joined = 0;
            int left = 0;
            for (Map.Entry<Long, Set<String>> e : after.entrySet()) {
                for (Map.Entry<String, Set<String>> person : people.entrySet()) {
                    List<String> parts = fragments.entrySet().stream()
                            .filter(f -> person.getValue().containsAll(f.getValue())).map(Map.Entry::getKey).toList();
                    if (parts.size() < 2) {
                        continue;
                    }
                    boolean wasIn = parts.stream().anyMatch(before.get(e.getKey())::contains);
                    boolean isIn = e.getValue().contains(person.getKey());
                    joined += isIn && !wasIn ? 1 : 0;
                    left += !isIn && wasIn ? 1 : 0;
                }
            }
            assertThat(joined).as("(segment, merged person) pairs in only on the combined data").isGreaterThanOrEqualTo(10);
            assertThat(left).as("(segment, merged person) pairs a merge took out").isGreaterThanOrEqualTo(3);

            // What was announced on atrium.segment-events tells the same story: per segment and profile, in
            // the order of "at", entries and exits alternate, the last one is the membership now, and a
            // profile merged into another is dropped silently, never "exited".
            Set<Long> mergedAway = new HashSet<>(jdbc.queryForList("SELECT loser_id FROM merges WHERE message_id LIKE ?", Long.class,
                    run + "-%"));
            assertThat(mergedAway).hasSizeGreaterThanOrEqualTo(15);
            Long[] segmentIds = rules.keySet().toArray(Long[]::new);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Map<String, List<JsonNode>> stories = announced.bySegmentAndProfile(rules.keySet());
                Set<String> lastIn = new TreeSet<>();
                stories.forEach((key, story) -> {
                    for (int i = 0; i < story.size(); i++) {
                        assertThat(story.get(i).path("type").asText()).as("announcement %d of %s: %s", i, key, story)
                                .isEqualTo(i % 2 == 0 ? "entered" : "exited");
                    }
                    long profile = story.get(0).path("profileId").asLong();
                    if (mergedAway.contains(profile)) {
                        return;
                    }
                    if (story.get(story.size() - 1).path("type").asText().equals("entered")) {
                        lastIn.add(key);
                    }
                });
                Set<String> members = new TreeSet<>(jdbc.queryForList("SELECT segment_id || '/' || profile_id FROM segment_members "
                        + "WHERE segment_id = ANY(?)", String.class, (Object) segmentIds));
                assertThat(lastIn).as("announced as in, not merged away").isEqualTo(members);
            });
        } finally {
            extended = false;
            refs.clear();
            List<Long> ids = new ArrayList<>(rules.keySet());
            java.util.Collections.reverse(ids); // a segment is deleted before those it refers to
            ids.forEach(store::delete);
        }
    }

    @Autowired
    jakarta.jms.ConnectionFactory connectionFactory;

    /** Everything published on atrium.segment-events while it is open. */
    private final class Announcements implements AutoCloseable {
        private final jakarta.jms.Connection connection;
        private final java.util.concurrent.ConcurrentLinkedQueue<JsonNode> received = new java.util.concurrent.ConcurrentLinkedQueue<>();

        Announcements() {
            try {
                connection = connectionFactory.createConnection();
                jakarta.jms.Session session = connection.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE);
                session.createConsumer(session.createTopic(io.atrium.server.broker.Queues.SEGMENT_EVENTS)).setMessageListener(m -> {
                    try {
                        received.add(readJson(((jakarta.jms.TextMessage) m).getText()));
                    } catch (jakarta.jms.JMSException e) {
                        throw new IllegalStateException(e);
                    }
                });
                connection.start();
            } catch (jakarta.jms.JMSException e) {
                throw new IllegalStateException(e);
            }
        }

        /** "segmentId/profileId" → the announcements about it, in the order of their "at". */
        Map<String, List<JsonNode>> bySegmentAndProfile(Set<Long> segments) {
            Map<String, List<JsonNode>> out = new java.util.TreeMap<>();
            for (JsonNode m : received) {
                if (segments.contains(m.path("segmentId").asLong())) {
                    out.computeIfAbsent(m.path("segmentId").asLong() + "/" + m.path("profileId").asLong(), k -> new ArrayList<>()).add(m);
                }
            }
            out.values().forEach(l -> l.sort(java.util.Comparator.comparing(m -> Instant.parse(m.path("at").asText()))));
            return out;
        }

        @Override
        public void close() throws jakarta.jms.JMSException {
            connection.close();
        }
    }

    private void submit(List<Event> events) {
        intake.submit(events);
        String[] ids = events.stream().map(Event::messageId).toArray(String[]::new);
        await().atMost(Duration.ofSeconds(60)).until(() ->
                jdbc.queryForObject("SELECT count(*) FROM events WHERE message_id = ANY(?)", Long.class, (Object) ids) == ids.length);
    }

    /**
     * Asserts that brute force, SQL and (eventually) the real-time members agree for every segment;
     * returns the members by person, a person being named by the smallest of its identities.
     */
    private Map<Long, Set<String>> agree(String when, Scenario scenario, Map<Long, JsonNode> rules, ZoneId zone) {
        Map<String, Set<String>> groups = scenario.model.groups();
        // Every person of the scenario is one profile, and different people are different profiles.
        List<String> values = new ArrayList<>();
        groups.values().forEach(keys -> keys.forEach(k -> values.add(k.substring(k.indexOf(':') + 1))));
        Map<String, Long> profileOfKey = new HashMap<>();
        jdbc.query("SELECT type, value, profile_id FROM identities WHERE value = ANY(?)", rs -> {
            profileOfKey.put(rs.getString(1) + ":" + rs.getString(2), rs.getLong(3));
        }, (Object) values.toArray(String[]::new));
        Map<Long, String> personOfProfile = new HashMap<>();
        for (Map.Entry<String, Set<String>> g : groups.entrySet()) {
            Set<Long> profiles = new TreeSet<>();
            g.getValue().forEach(k -> profiles.add(profileOfKey.get(k)));
            assertThat(profiles).as("%s: the profiles of %s", when, g.getValue()).hasSize(1).doesNotContainNull();
            String other = personOfProfile.put(profiles.iterator().next(), g.getKey());
            assertThat(other).as("%s: %s and %s share a profile", when, other, g.getKey()).isNull();
        }

        RuleEvaluator evaluator = new RuleEvaluator(Instant.now(), ref -> rules.get(ref.asLong()), zone);
        Map<Long, Set<String>> expected = new LinkedHashMap<>();
        Map<Long, Set<String>> bySql = new LinkedHashMap<>();
        for (Map.Entry<Long, JsonNode> r : rules.entrySet()) {
            Set<String> in = new TreeSet<>();
            groups.forEach((person, keys) -> {
                if (evaluator.test(r.getValue(), scenario.facts(person))) {
                    in.add(person);
                }
            });
            expected.put(r.getKey(), in);
            Set<String> sql = new TreeSet<>();
            members.allIds(r.getValue()).forEach(p -> sql.add(personOfProfile.getOrDefault(p, "profile " + p)));
            bySql.put(r.getKey(), sql);
        }
        for (Long id : rules.keySet()) {
            assertThat(bySql.get(id)).as("%s: SQL members of segment %d %s", when, id, rules.get(id)).isEqualTo(expected.get(id));
        }
        Long[] segmentIds = rules.keySet().toArray(Long[]::new);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Map<Long, Set<String>> live = new LinkedHashMap<>();
            rules.keySet().forEach(id -> live.put(id, new TreeSet<>()));
            jdbc.query("SELECT segment_id, profile_id FROM segment_members WHERE segment_id = ANY(?)", rs -> {
                long p = rs.getLong(2);
                live.get(rs.getLong(1)).add(personOfProfile.getOrDefault(p, "profile " + p));
            }, (Object) segmentIds);
            assertThat(live).as("%s: members kept in real time", when).isEqualTo(expected);
        });
        long splitting = expected.values().stream().filter(in -> !in.isEmpty() && in.size() < groups.size()).count();
        assertThat(splitting).as("%s: segments that select some but not all people", when).isGreaterThanOrEqualTo(15);
        return expected;
    }

    /**
     * The generated people and what the hub should know about them: every event sent so far, and which
     * identities belong together (the events that carry two identities join them).
     */
    private final class Scenario {
        final String run;
        final Instant base;
        final Model model = new Model();
        private final List<List<Event>> phases = List.of(new ArrayList<>(), new ArrayList<>());
        private int seq;

        Scenario(String run, Instant base) {
            this.run = run;
            this.base = base;
        }

        List<Event> phase(int n) {
            phases.get(n).forEach(model::add);
            return phases.get(n);
        }

        /** A distinct time for every event (no ties for "newest wins"), {@code ago} before the start. */
        private Instant at(Duration ago) {
            return base.minus(ago).plusMillis(++seq);
        }

        private String id() {
            return run + "-" + (++seq);
        }

        void people(int n) {
            String[] dates = {"-20d", "-3d", "2d", "10d", "40d"};
            for (int p = 0; p < n; p++) {
                String user = "u" + p + "-" + run;
                String email = random.nextBoolean() ? "u" + p + "-" + run + "@example.com" : null;
                Event.Builder identify = Event.identify().userId(user).messageId(id()).timestamp(at(Duration.ofDays(60)))
                        .trait("run", run).trait("city", pick(CITIES)).trait("age", 18 + random.nextInt(50))
                        .trait("renewal", base.plus(days(pick(dates))).toString())
                        .trait("birthday", LocalDate.ofInstant(base.plus(days(pick(dates))), ZoneOffset.UTC).minusYears(30).toString());
                if (email != null) {
                    identify.trait("email", email);
                }
                if (random.nextBoolean()) {
                    identify.trait("plan", random.nextBoolean() ? "free" : "gold");
                }
                if (random.nextBoolean()) {
                    identify.trait("consents", Map.of("email", Map.of("marketing", random.nextBoolean())));
                }
                phases.get(0).add(identify.build());
                tracks(phases.get(0), b -> b.userId(user), random.nextInt(4), AGO);
                int devices = 1 + random.nextInt(2);
                for (int k = 0; k < devices; k++) {
                    String device = "d" + p + "-" + k + "-" + run;
                    Event.Builder anonymous = Event.identify().anonymousId(device).messageId(id()).timestamp(at(Duration.ofDays(30)))
                            .trait("run", run).trait("seen", base.minus(days(pick(dates).replace("-", ""))).toString());
                    if (random.nextBoolean()) {
                        anonymous.trait("city", pick(CITIES));
                    }
                    if (random.nextBoolean()) {
                        anonymous.trait("plan", random.nextBoolean() ? "free" : "gold");
                    }
                    if (random.nextInt(3) == 0) {
                        anonymous.trait("consents", Map.of("email", Map.of("marketing", random.nextBoolean())));
                    }
                    phases.get(0).add(anonymous.build());
                    tracks(phases.get(0), b -> b.anonymousId(device), random.nextInt(4), AGO);
                    // Later the device is linked to the person (two devices in three), then used again.
                    if (random.nextInt(3) > 0) {
                        if (email != null && random.nextBoolean()) {
                            Event.Builder link = Event.identify().anonymousId(device).messageId(id()).timestamp(at(Duration.ofMinutes(30)))
                                    .trait("email", email);
                            if (random.nextBoolean()) {
                                link.trait("city", pick(CITIES));
                            }
                            phases.get(1).add(link.build());
                        } else {
                            phases.get(1).add(Event.track("signed_in").userId(user).anonymousId(device).messageId(id())
                                    .timestamp(at(Duration.ofMinutes(25))).build());
                        }
                    }
                    tracks(phases.get(1), b -> b.anonymousId(device), random.nextInt(3),
                            new Duration[] {Duration.ofMinutes(10), Duration.ofMinutes(45), Duration.ofHours(2)});
                }
            }
        }

        private void tracks(List<Event> into, java.util.function.UnaryOperator<Event.Builder> who, int n, Duration[] ago) {
            for (int i = 0; i < n; i++) {
                into.add(who.apply(Event.track(pick(EVENTS))).messageId(id()).timestamp(at(ago[random.nextInt(ago.length)]))
                        .property("total", TOTALS[random.nextInt(TOTALS.length)]).build());
            }
        }

        private Duration days(String spec) {
            return Duration.ofDays(Long.parseLong(spec.replace("d", "")));
        }

        /** What the hub should know about the person named {@code person}: all of its events taken together. */
        RuleEvaluator.Facts facts(String person) {
            Map<String, JsonNode> traits = new HashMap<>();
            Map<String, Instant> traitTimes = new HashMap<>();
            Map<String, Boolean> consents = new HashMap<>();
            Map<String, Instant> consentTimes = new HashMap<>();
            Set<String> types = new HashSet<>();
            model.groups().get(person).forEach(k -> types.add(k.substring(0, k.indexOf(':'))));
            List<RuleEvaluator.EventFact> events = new ArrayList<>();
            for (Event e : model.events(person)) {
                events.add(new RuleEvaluator.EventFact(e.type(), e.event(), e.timestamp(), json.valueToTree(e.properties())));
                if (!e.type().equals("identify")) {
                    continue;
                }
                for (Map.Entry<String, Object> t : e.traits().entrySet()) {
                    if (t.getKey().equals("consents")) {
                        ((Map<?, ?>) t.getValue()).forEach((channel, purposes) -> ((Map<?, ?>) purposes).forEach((purpose, granted) -> {
                            String key = RuleEvaluator.Facts.consentKey((String) channel, (String) purpose);
                            if (consentTimes.get(key) == null || e.timestamp().isAfter(consentTimes.get(key))) {
                                consentTimes.put(key, e.timestamp());
                                consents.put(key, (Boolean) granted);
                            }
                        }));
                    } else if (traitTimes.get(t.getKey()) == null || e.timestamp().isAfter(traitTimes.get(t.getKey()))) {
                        traitTimes.put(t.getKey(), e.timestamp());
                        traits.put(t.getKey(), json.valueToTree(t.getValue()));
                    }
                }
            }
            return new RuleEvaluator.Facts(traits, types, consents, events);
        }
    }

    /** Identities joined by the events that carry several of them (union-find), and each person's events. */
    private static final class Model {
        private final Map<String, String> parent = new HashMap<>();
        private final List<Event> events = new ArrayList<>();

        static List<String> keys(Event e) {
            List<String> keys = new ArrayList<>();
            if (e.userId() != null) {
                keys.add("user_id:" + e.userId());
            }
            if (e.anonymousId() != null) {
                keys.add("anonymous_id:" + e.anonymousId());
            }
            if (e.type().equals("identify") && e.traits().get("email") instanceof String email) {
                keys.add("email:" + email);
            }
            return keys;
        }

        void add(Event e) {
            List<String> keys = keys(e);
            keys.forEach(k -> parent.putIfAbsent(k, k));
            for (int i = 1; i < keys.size(); i++) {
                String a = root(keys.get(0));
                String b = root(keys.get(i));
                if (!a.equals(b)) {
                    parent.put(a.compareTo(b) < 0 ? b : a, a.compareTo(b) < 0 ? a : b);
                }
            }
            events.add(e);
        }

        private String root(String k) {
            String p = parent.get(k);
            return p.equals(k) ? k : root(p);
        }

        /** Each person (named by its smallest identity) with all of its identities. */
        Map<String, Set<String>> groups() {
            Map<String, Set<String>> out = new java.util.TreeMap<>();
            parent.keySet().forEach(k -> out.computeIfAbsent(root(k), r -> new TreeSet<>()).add(k));
            return out;
        }

        List<Event> events(String person) {
            return events.stream().filter(e -> root(keys(e).get(0)).equals(person)).toList();
        }
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

    /** Saved segments of this run that generated rules may refer to (the merge test); empty: no references. */
    private final List<Long> refs = new ArrayList<>();
    /** Whether generated rules also use date traits and anonymous ids (the merge test's people have them). */
    private boolean extended;

    private JsonNode rule(int depth) {
        if (extended && random.nextInt(8) == 0) {
            return dateRule();
        }
        if (!refs.isEmpty() && random.nextInt(10) == 0) {
            return J.objectNode().put("segment", refs.get(random.nextInt(refs.size())));
        }
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
                String type = extended ? pick(new String[] {"email", "user_id", "anonymous_id"}) : random.nextBoolean() ? "email" : "user_id";
                return J.objectNode().put("identity", type)
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

    private JsonNode dateRule() {
        ObjectNode n = J.objectNode();
        switch (random.nextInt(3)) {
            case 0 -> n.put("trait", "renewal").put("op", random.nextBoolean() ? "within_last" : "within_next").put("value", pick(WINDOWS));
            case 1 -> n.put("trait", "seen").put("op", "within_last").put("value", pick(WINDOWS));
            default -> n.put("trait", "birthday").put("op", "anniversary_within").put("value", pick(new String[] {"7d", "30d"}));
        }
        return n;
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

