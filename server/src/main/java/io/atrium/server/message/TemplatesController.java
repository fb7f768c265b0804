package io.atrium.server.message;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.atrium.server.api.ApiException;
import io.atrium.server.profile.ProfileAdmin;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/templates}: message templates, checked when saved, previewed for a chosen profile. */
@RestController
@RequestMapping("/api/v1/templates")
public class TemplatesController {

    private final Templates templates;
    private final Messages messages;
    private final ProfileAdmin profiles;

    public TemplatesController(Templates templates, Messages messages, ProfileAdmin profiles) {
        this.templates = templates;
        this.messages = messages;
        this.profiles = profiles;
    }

    @GetMapping
    public List<Templates.MessageTemplate> list() {
        return templates.list();
    }

    @GetMapping("/{id}")
    public Templates.MessageTemplate one(@PathVariable String id) {
        return templates.get(id);
    }

    @PostMapping
    public ResponseEntity<Templates.MessageTemplate> create(@RequestBody Map<String, Object> body) {
        return ResponseEntity.status(HttpStatus.CREATED).body(templates.create(body));
    }

    @PutMapping("/{id}")
    public Templates.MessageTemplate update(@PathVariable String id, @RequestBody Map<String, Object> body) {
        return templates.update(id, body);
    }

    @DeleteMapping("/{id}")
    public ResponseEntity<Void> delete(@PathVariable String id) {
        templates.delete(id);
        return ResponseEntity.noContent().build();
    }

    /** {@code {"valid": bool, "problems": [{field, message}]}} without saving. */
    @PostMapping("/validate")
    public Map<String, Object> validate(@RequestBody Map<String, Object> body) {
        List<Map<String, String>> problems = templates.problems(body, false);
        return Map.of("valid", problems.isEmpty(), "problems", problems);
    }

    /**
     * Renders a stored template for a person: {@code {"profile": {"idType": "email", "idValue": "..."},
     * "data": {...}, "event": {...}}}. A value the person lacks is a 422 naming the variable.
     */
    @PostMapping("/{id}/preview")
    @SuppressWarnings("unchecked")
    public Map<String, Object> preview(@PathVariable String id, @RequestBody Map<String, Object> body) {
        Templates.MessageTemplate t = templates.get(id);
        if (!(body.get("profile") instanceof Map<?, ?> p) || !(p.get("idType") instanceof String type)
                || !(p.get("idValue") instanceof String value)) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "bad_request", Map.of("field", "profile",
                    "message", "required: {\"idType\": \"email\", \"idValue\": \"...\"}"));
        }
        long profileId = profiles.resolve(type, value);
        Messages.SendRequest r = new Messages.SendRequest(profileId, null, null, t.channel(), null, id, null, null, null,
                (Map<String, Object>) body.get("data"), (Map<String, Object>) body.get("event"),
                (Map<String, Object>) body.get("campaign"), null, null, null, null);
        try {
            Templates.Rendered rendered = templates.render(t, messages.model(profileId, "preview", "#unsubscribe", r));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("channel", t.channel());
            out.put("subject", rendered.subject());
            out.put("text", rendered.text());
            out.put("html", rendered.html());
            return out;
        } catch (Templates.RenderException e) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "template_error", e.getMessage());
        }
    }
}
