package io.atrium.server.segment;

import java.security.Principal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.server.api.ApiError;
import io.atrium.server.api.ApiException;
import io.atrium.server.audit.AuditLog;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * Segment definitions: create, read, update, delete and validate. Every rule is checked against
 * the grammar of docs/segments.md before anything is saved; a bad one is refused with the path of
 * every offending node.
 */
@RestController
@RequestMapping("/api/v1/segments")
public class SegmentsController {

    private static final int MAX_NAME = 100;

    private final SegmentStore store;
    private final SegmentMembers members;
    private final SegmentStage stage;
    private final SegmentExports exports;
    private final AuditLog audit;

    public SegmentsController(SegmentStore store, SegmentMembers members, SegmentStage stage, SegmentExports exports, AuditLog audit) {
        this.store = store;
        this.members = members;
        this.stage = stage;
        this.exports = exports;
        this.audit = audit;
    }

    /** A path segment that is not a number ({@code /api/v1/segments/abc}) is the caller's mistake, named by its field. */
    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ApiError> badNumber(MethodArgumentTypeMismatchException e) {
        return ResponseEntity.badRequest().body(new ApiError("bad_request", Map.of("field", e.getName(),
                "message", "must be a whole number, not '" + e.getValue() + "'")));
    }

    /** The members of a segment now, paged by profile id: {@code {total, page, size, members: [{profileId, identities}]}}. */
    @GetMapping("/{id}/members")
    public SegmentMembers.Page members(@PathVariable long id,
                                       @org.springframework.web.bind.annotation.RequestParam(defaultValue = "0") int page,
                                       @org.springframework.web.bind.annotation.RequestParam(defaultValue = "100") int size) {
        if (page < 0) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "bad_request", Map.of("field", "page", "message", "must be 0 or more"));
        }
        if (size < 1 || size > 1000) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "bad_request", Map.of("field", "size", "message", "must be between 1 and 1000"));
        }
        return members.members(get(id).rule(), page, size);
    }

    /** How many people a rule (saved or not) selects now: {@code {"count": n}}. */
    @PostMapping("/preview")
    public Map<String, Object> preview(@RequestBody JsonNode body) {
        JsonNode rule = body == null ? null : body.get("rule");
        List<RuleValidator.Problem> problems = new ArrayList<>();
        if (rule == null || rule.isNull()) {
            problems.add(new RuleValidator.Problem("$.rule", "is required"));
        } else {
            problems.addAll(prefixed(RuleValidator.validate(rule)));
            if (problems.isEmpty()) {
                problems.addAll(prefixed(store.checkReferences(null, "", rule)));
            }
        }
        require(problems);
        return Map.of("count", members.count(rule));
    }

    /**
     * How many members every segment has now, as the segment stage keeps them ({@code segment_members}):
     * {@code {"12": 3, "14": 0}}. One grouped count for the console's list, which refreshes it every few
     * seconds; the rule is not re-evaluated (that is {@code /members} and {@code /preview}).
     */
    @GetMapping("/counts")
    public Map<String, Long> counts() {
        return members.storedCounts();
    }

    @GetMapping
    public List<SegmentStore.Segment> list() {
        return store.list();
    }

    @GetMapping("/{id}")
    public SegmentStore.Segment get(@PathVariable long id) {
        return store.get(id).orElseThrow(() -> ApiException.notFound("no segment with id " + id));
    }

    /** Checks a definition without saving it: {@code {"valid": true|false, "problems": [{path, message}]}}. */
    @PostMapping("/validate")
    public Map<String, Object> validate(@RequestBody JsonNode body) {
        List<RuleValidator.Problem> problems = problems(body);
        if (problems.isEmpty() && body.path("rule").isObject()) {
            problems.addAll(prefixed(store.checkReferences(null, body.path("name").asText(""), body.get("rule"))));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("valid", problems.isEmpty());
        out.put("problems", problems);
        return out;
    }

    @PostMapping
    public ResponseEntity<SegmentStore.Segment> create(@RequestBody JsonNode body, Principal who) {
        require(problems(body));
        try {
            SegmentStore.Segment created = store.create(body.get("name").asText().strip(), body.path("description").asText(""),
                    body.get("rule"));
            audit.record(who.getName(), "segment.create", "segment/" + created.id(), Map.of("name", created.name()));
            stage.recomputeLater(created.id());
            return ResponseEntity.status(HttpStatus.CREATED).body(created);
        } catch (SegmentStore.InvalidReferencesException e) {
            throw invalid(prefixed(e.problems()));
        } catch (DuplicateKeyException e) {
            throw conflict(body.get("name").asText().strip());
        }
    }

    @PutMapping("/{id}")
    public SegmentStore.Segment update(@PathVariable long id, @RequestBody JsonNode body, Principal who) {
        require(problems(body));
        try {
            SegmentStore.Segment updated = store.update(id, body.get("name").asText().strip(), body.path("description").asText(""),
                    body.get("rule")).orElseThrow(() -> ApiException.notFound("no segment with id " + id));
            audit.record(who.getName(), "segment.update", "segment/" + id, Map.of("name", updated.name()));
            stage.recomputeLater(id);
            return updated;
        } catch (SegmentStore.InvalidReferencesException e) {
            throw invalid(prefixed(e.problems()));
        } catch (DuplicateKeyException e) {
            throw conflict(body.get("name").asText().strip());
        }
    }

    @DeleteMapping("/{id}")
    public ResponseEntity<Void> delete(@PathVariable long id, Principal who) {
        SegmentStore.Segment segment = get(id);
        List<SegmentStore.Segment> users = store.referencing(segment);
        if (!users.isEmpty()) {
            throw new ApiException(HttpStatus.CONFLICT, "conflict", Map.of("message",
                    "segment '" + segment.name() + "' is used by other segments; change them first",
                    "usedBy", users.stream().map(s -> Map.of("id", s.id(), "name", s.name())).toList()));
        }
        exports.forgetSegment(id);
        store.delete(id);
        audit.record(who.getName(), "segment.delete", "segment/" + id, Map.of("name", segment.name()));
        return ResponseEntity.noContent().build();
    }

    /** Problems of the body itself: name, description and the rule's grammar. */
    private static List<RuleValidator.Problem> problems(JsonNode body) {
        List<RuleValidator.Problem> problems = new ArrayList<>();
        if (body == null || !body.isObject()) {
            problems.add(new RuleValidator.Problem("$", "must be {\"name\": ..., \"description\": ..., \"rule\": {...}}"));
            return problems;
        }
        JsonNode name = body.get("name");
        if (name == null || !name.isTextual() || name.asText().isBlank()) {
            problems.add(new RuleValidator.Problem("$.name", "is required: a non-empty string"));
        } else if (name.asText().strip().length() > MAX_NAME) {
            problems.add(new RuleValidator.Problem("$.name", "is longer than " + MAX_NAME + " characters"));
        }
        JsonNode description = body.get("description");
        if (description != null && !description.isTextual() && !description.isNull()) {
            problems.add(new RuleValidator.Problem("$.description", "must be a string"));
        }
        body.fieldNames().forEachRemaining(f -> {
            if (!List.of("name", "description", "rule", "id", "createdAt", "updatedAt").contains(f)) {
                problems.add(new RuleValidator.Problem("$." + f, "is not a field of a segment; allowed: name, description, rule"));
            }
        });
        JsonNode rule = body.get("rule");
        if (rule == null || rule.isNull()) {
            problems.add(new RuleValidator.Problem("$.rule", "is required: the segment's rule (see docs/segments.md)"));
        } else {
            problems.addAll(prefixed(RuleValidator.validate(rule)));
        }
        return problems;
    }

    private static List<RuleValidator.Problem> prefixed(List<RuleValidator.Problem> problems) {
        return problems.stream().map(p -> p.path().startsWith("$.rule") || p.path().equals("$.name") ? p
                : new RuleValidator.Problem("$.rule" + p.path().substring(1), p.message())).toList();
    }

    private static void require(List<RuleValidator.Problem> problems) {
        if (!problems.isEmpty()) {
            throw invalid(problems);
        }
    }

    private static ApiException invalid(List<RuleValidator.Problem> problems) {
        return new ApiException(HttpStatus.BAD_REQUEST, "invalid_segment", Map.of("problems", problems));
    }

    private static ApiException conflict(String name) {
        return new ApiException(HttpStatus.CONFLICT, "conflict", Map.of("field", "name",
                "message", "a segment named '" + name + "' exists already"));
    }
}
