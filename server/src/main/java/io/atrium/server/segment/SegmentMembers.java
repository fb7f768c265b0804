package io.atrium.server.segment;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/** Who is in a segment, computed from PostgreSQL by one query compiled from the rule. */
@Service
public class SegmentMembers {

    private final JdbcTemplate jdbc;
    private final SegmentStore store;

    public SegmentMembers(JdbcTemplate jdbc, SegmentStore store) {
        this.jdbc = jdbc;
        this.store = store;
    }

    public record Member(long profileId, List<Map<String, String>> identities) {
    }

    public record Page(long total, int page, int size, List<Member> members) {
    }

    /** Everyone the rule selects now. */
    public java.util.Set<Long> allIds(JsonNode rule) {
        SegmentSql.Condition c = compile(rule);
        return new java.util.HashSet<>(jdbc.queryForList("SELECT p.id FROM profiles p WHERE " + c.sql(), Long.class, c.params().toArray()));
    }

    /** Those of {@code ids} the rule selects now. */
    public java.util.Set<Long> idsAmong(JsonNode rule, java.util.Set<Long> ids) {
        SegmentSql.Condition c = compile(rule);
        List<Object> params = new ArrayList<>();
        params.add(ids.toArray(Long[]::new));
        params.addAll(c.params());
        return new java.util.HashSet<>(jdbc.queryForList("SELECT p.id FROM profiles p WHERE p.id = ANY(?) AND " + c.sql(),
                Long.class, params.toArray()));
    }

    /** Every segment's number of stored members (0 for none), by segment id. */
    public Map<String, Long> storedCounts() {
        Map<String, Long> out = new TreeMap<>(Comparator.comparingLong(Long::parseLong));
        jdbc.query("SELECT s.id, (SELECT count(*) FROM segment_members m WHERE m.segment_id = s.id) FROM segments s",
                rs -> {
                    out.put(Long.toString(rs.getLong(1)), rs.getLong(2));
                });
        return out;
    }

    public long count(JsonNode rule) {
        SegmentSql.Condition c = compile(rule);
        return jdbc.queryForObject("SELECT count(*) FROM profiles p WHERE " + c.sql(), Long.class, c.params().toArray());
    }

    public Page members(JsonNode rule, int page, int size) {
        SegmentSql.Condition c = compile(rule);
        long total = jdbc.queryForObject("SELECT count(*) FROM profiles p WHERE " + c.sql(), Long.class, c.params().toArray());
        List<Object> params = new ArrayList<>(c.params());
        params.add(size);
        params.add((long) page * size);
        List<Long> ids = jdbc.queryForList("SELECT p.id FROM profiles p WHERE " + c.sql() + " ORDER BY p.id LIMIT ? OFFSET ?",
                Long.class, params.toArray());
        Map<Long, List<Map<String, String>>> identities = new LinkedHashMap<>();
        ids.forEach(id -> identities.put(id, new ArrayList<>()));
        if (!ids.isEmpty()) {
            jdbc.query("SELECT profile_id, type, value FROM identities WHERE profile_id = ANY(?) ORDER BY profile_id, type, value",
                    rs -> {
                        identities.get(rs.getLong(1)).add(Map.of("type", rs.getString(2), "value", rs.getString(3)));
                    }, (Object) ids.toArray(Long[]::new));
        }
        List<Member> members = new ArrayList<>();
        identities.forEach((id, list) -> members.add(new Member(id, list)));
        return new Page(total, page, size, members);
    }

    SegmentSql.Condition compile(JsonNode rule) {
        return compile(rule, store.list());
    }

    /** Compiles a rule whose segment references are looked up in {@code segments} (every segment there is). */
    SegmentSql.Condition compile(JsonNode rule, List<SegmentStore.Segment> segments) {
        return SegmentSql.compile(rule, references(segments));
    }

    /** {@link SegmentSql#nextChange} of a rule whose segment references are looked up in {@code segments}. */
    SegmentSql.Condition nextChange(JsonNode rule, List<SegmentStore.Segment> segments, java.time.Instant after) {
        return SegmentSql.nextChange(rule, references(segments), after);
    }

    /** What a rule looks at, with its segment references looked up in {@code segments}. */
    RuleDependencies dependencies(JsonNode rule, List<SegmentStore.Segment> segments) {
        return RuleDependencies.of(rule, references(segments));
    }

    private static java.util.function.Function<JsonNode, JsonNode> references(List<SegmentStore.Segment> segments) {
        Map<Long, SegmentStore.Segment> byId = new LinkedHashMap<>();
        Map<String, SegmentStore.Segment> byName = new LinkedHashMap<>();
        for (SegmentStore.Segment s : segments) {
            byId.put(s.id(), s);
            byName.put(s.name(), s);
        }
        return ref -> {
            SegmentStore.Segment s = ref.isIntegralNumber() ? byId.get(ref.asLong()) : byName.get(ref.asText());
            return s == null ? null : s.rule();
        };
    }
}
