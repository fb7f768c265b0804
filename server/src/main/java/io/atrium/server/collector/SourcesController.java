package io.atrium.server.collector;

import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

import io.atrium.server.api.ApiException;
import io.atrium.server.audit.AuditLog;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/sources}: named origins of events and their write keys. */
@RestController
@RequestMapping("/api/v1/sources")
public class SourcesController {

    static final int MAX_NAME_LENGTH = 100;

    private final SourceStore sources;
    private final AuditLog audit;

    public SourcesController(SourceStore sources, AuditLog audit) {
        this.sources = sources;
        this.audit = audit;
    }

    /** What the API shows of a source (the write key included: admins need it to set up SDKs). */
    public record SourceView(UUID id, String name, String writeKey, java.time.Instant createdAt,
                             java.time.Instant revokedAt, boolean active) {
        static SourceView of(Source s) {
            return new SourceView(s.id(), s.name(), s.writeKey(), s.createdAt(), s.revokedAt(), s.isActive());
        }
    }

    @GetMapping
    public List<SourceView> list() {
        return sources.list().stream().map(SourceView::of).toList();
    }

    @GetMapping("/{id}")
    public SourceView get(@PathVariable String id) {
        return sources.get(parse(id)).map(SourceView::of).orElseThrow(() -> unknown(id));
    }

    @PostMapping
    public ResponseEntity<SourceView> create(@RequestBody(required = false) JsonNode body, Principal who) {
        if (body == null || !body.isObject()) {
            throw invalidName("is required: send {\"name\": \"web-shop\"}");
        }
        JsonNode nameNode = body.get("name");
        if (nameNode == null || nameNode.isNull()) {
            throw invalidName("is required");
        }
        if (!nameNode.isTextual()) {
            throw invalidName("must be a string");
        }
        String name = nameNode.asText().strip();
        if (name.isEmpty()) {
            throw invalidName("must not be blank");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw invalidName("must be at most " + MAX_NAME_LENGTH + " characters (it has " + name.length() + ")");
        }
        Source created;
        try {
            created = sources.create(name);
        } catch (SourceStore.DuplicateNameException e) {
            throw new ApiException(HttpStatus.CONFLICT, "conflict", Map.of("field", "name", "message", e.getMessage()));
        }
        audit.record(who.getName(), "source.create", created.id().toString(), Map.of("name", created.name()));
        return ResponseEntity.status(HttpStatus.CREATED).body(SourceView.of(created));
    }

    @DeleteMapping("/{id}")
    public ResponseEntity<Void> revoke(@PathVariable String id, Principal who) {
        UUID uuid = parse(id);
        Source before = sources.get(uuid).orElseThrow(() -> unknown(id));
        if (before.isActive()) {
            sources.revoke(uuid);
            audit.record(who.getName(), "source.revoke", id, Map.of("name", before.name()));
        }
        return ResponseEntity.noContent().build();
    }

    private static UUID parse(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw unknown(id);
        }
    }

    private static ApiException unknown(String id) {
        return ApiException.notFound("no source with id '" + id + "'");
    }

    private static ApiException invalidName(String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "bad_request", Map.of("field", "name", "message", message));
    }
}
