package io.atrium.server.segment;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** Segment definitions in PostgreSQL, with the references between segments kept free of cycles. */
@Repository
public class SegmentStore {

    private final JdbcTemplate jdbc;
    private final ObjectMapper mapper;

    public SegmentStore(JdbcTemplate jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.mapper = mapper;
    }

    /**
     * A segment; {@code computedAt} is when its members were last brought in line with this rule over
     * everyone, null while a new or edited rule has not been computed yet.
     */
    public record Segment(long id, String name, String description, JsonNode rule, Instant createdAt, Instant updatedAt,
                          Instant computedAt) {
    }

    private static final String SELECT = "SELECT id, name, description, rule::text AS rule, created_at, updated_at, computed_at FROM segments";

    private final RowMapper<Segment> rows = this::row;

    private Segment row(ResultSet rs, int i) throws SQLException {
        try {
            return new Segment(rs.getLong("id"), rs.getString("name"), rs.getString("description"),
                    mapper.readTree(rs.getString("rule")), rs.getTimestamp("created_at").toInstant(),
                    rs.getTimestamp("updated_at").toInstant(),
                    rs.getTimestamp("computed_at") == null ? null : rs.getTimestamp("computed_at").toInstant());
        } catch (JsonProcessingException e) {
            throw new SQLException("segment " + rs.getLong("id") + " has an unreadable rule", e);
        }
    }

    public List<Segment> list() {
        return jdbc.query(SELECT + " ORDER BY id", rows);
    }

    public Optional<Segment> get(long id) {
        return jdbc.query(SELECT + " WHERE id = ?", rows, id)
                .stream().findFirst();
    }

    /** A rule that refers to unknown segments or would make a cycle; nothing was saved. */
    public static final class InvalidReferencesException extends RuntimeException {
        private final transient List<RuleValidator.Problem> problems;

        InvalidReferencesException(List<RuleValidator.Problem> problems) {
            super(problems.toString());
            this.problems = problems;
        }

        public List<RuleValidator.Problem> problems() {
            return problems;
        }
    }

    @Transactional
    public Segment create(String name, String description, JsonNode rule) {
        lockDefinitions();
        requireReferences(null, name, rule);
        Long id = jdbc.queryForObject("INSERT INTO segments (name, description, rule) VALUES (?, ?, ?::jsonb) RETURNING id",
                Long.class, name, description, rule.toString());
        return get(id).orElseThrow();
    }

    @Transactional
    public Optional<Segment> update(long id, String name, String description, JsonNode rule) {
        lockDefinitions();
        if (get(id).isEmpty()) {
            return Optional.empty();
        }
        requireReferences(id, name, rule);
        int n = jdbc.update("UPDATE segments SET name = ?, description = ?, rule = ?::jsonb, updated_at = now(), "
                + "computed_at = NULL WHERE id = ?",
                name, description, rule.toString(), id);
        return n == 0 ? Optional.empty() : get(id);
    }

    /**
     * Records that {@code s}'s members were brought in line with its rule over everyone; a rule edited
     * since (its {@code updated_at} moved) stays uncomputed.
     */
    public void markComputed(Segment s) {
        jdbc.update("UPDATE segments SET computed_at = now() WHERE id = ? AND updated_at = ?", s.id(),
                java.sql.Timestamp.from(s.updatedAt()));
    }

    @Transactional
    public boolean delete(long id) {
        lockDefinitions();
        return jdbc.update("DELETE FROM segments WHERE id = ?", id) > 0;
    }

    private void requireReferences(Long selfId, String selfName, JsonNode rule) {
        List<RuleValidator.Problem> problems = checkReferences(selfId, selfName, rule);
        if (!problems.isEmpty()) {
            throw new InvalidReferencesException(problems);
        }
    }

    /** Segments whose rule refers to {@code id} (by id or by name). */
    public List<Segment> referencing(Segment target) {
        List<Segment> out = new ArrayList<>();
        for (Segment s : list()) {
            if (s.id() != target.id()) {
                for (JsonNode ref : references(s.rule())) {
                    if (ref.isIntegralNumber() ? ref.asLong() == target.id() : ref.asText().equals(target.name())) {
                        out.add(s);
                        break;
                    }
                }
            }
        }
        return out;
    }

    /**
     * Problems with the segments a rule refers to: unknown ones, and references that would lead
     * back to the segment itself. {@code selfId} is null for a new segment.
     */
    public List<RuleValidator.Problem> checkReferences(Long selfId, String selfName, JsonNode rule) {
        List<RuleValidator.Problem> problems = new ArrayList<>();
        List<Segment> all = list();
        Map<Long, Segment> byId = new HashMap<>();
        Map<String, Segment> byName = new HashMap<>();
        for (Segment s : all) {
            byId.put(s.id(), s);
            byName.put(s.name(), s);
        }
        List<String> paths = new ArrayList<>();
        List<JsonNode> refs = new ArrayList<>();
        collect(rule, "$", paths, refs);
        for (int i = 0; i < refs.size(); i++) {
            JsonNode ref = refs.get(i);
            boolean self = ref.isIntegralNumber() ? selfId != null && ref.asLong() == selfId : ref.asText().equals(selfName);
            Segment target = ref.isIntegralNumber() ? byId.get(ref.asLong()) : byName.get(ref.asText());
            if (self) {
                problems.add(new RuleValidator.Problem(paths.get(i), "a segment cannot contain itself"));
            } else if (target == null) {
                problems.add(new RuleValidator.Problem(paths.get(i), "no segment " + (ref.isIntegralNumber() ? "with id " + ref.asLong()
                        : "named '" + ref.asText() + "'")));
            } else {
                List<String> cycle = pathBack(target, selfId, selfName, byId, byName);
                if (cycle != null) {
                    problems.add(new RuleValidator.Problem(paths.get(i), "would make a cycle: " + selfName + " → "
                            + String.join(" → ", cycle) + " → " + selfName));
                }
            }
        }
        return problems;
    }

    /** The chain of segment names from {@code start} that reaches the segment being saved, or null. */
    private List<String> pathBack(Segment start, Long selfId, String selfName, Map<Long, Segment> byId, Map<String, Segment> byName) {
        Deque<List<Segment>> queue = new ArrayDeque<>();
        queue.add(List.of(start));
        Set<Long> seen = new LinkedHashSet<>();
        while (!queue.isEmpty()) {
            List<Segment> chain = queue.poll();
            Segment last = chain.get(chain.size() - 1);
            if (!seen.add(last.id())) {
                continue;
            }
            for (JsonNode ref : references(last.rule())) {
                boolean self = ref.isIntegralNumber() ? selfId != null && ref.asLong() == selfId : ref.asText().equals(selfName);
                if (self) {
                    return chain.stream().map(Segment::name).toList();
                }
                Segment next = ref.isIntegralNumber() ? byId.get(ref.asLong()) : byName.get(ref.asText());
                if (next != null) {
                    List<Segment> longer = new ArrayList<>(chain);
                    longer.add(next);
                    queue.add(longer);
                }
            }
        }
        return null;
    }

    static List<JsonNode> references(JsonNode rule) {
        List<JsonNode> refs = new ArrayList<>();
        collect(rule, "$", new ArrayList<>(), refs);
        return refs;
    }

    private static void collect(JsonNode node, String path, List<String> paths, List<JsonNode> refs) {
        if (node == null || !node.isObject()) {
            return;
        }
        if (node.has("segment") && node.get("segment").isValueNode()) {
            paths.add(path + ".segment");
            refs.add(node.get("segment"));
        }
        for (String k : List.of("all", "any")) {
            JsonNode items = node.get(k);
            if (items != null && items.isArray()) {
                for (int i = 0; i < items.size(); i++) {
                    collect(items.get(i), path + "." + k + "[" + i + "]", paths, refs);
                }
            }
        }
        collect(node.get("not"), path + ".not", paths, refs);
    }

    /** Serialises changes of definitions, so two concurrent saves cannot build a cycle between them. */
    private void lockDefinitions() {
        jdbc.queryForObject("SELECT pg_advisory_xact_lock(hashtext('atrium.segments'))::text", String.class);
    }
}
