package io.atrium.server.message;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.atrium.server.api.ApiException;
import io.atrium.server.profile.ProfileAdmin;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/messages}: send one message (transactional notifications, tests of a template),
 * list a person's or a campaign's messages with their status history, read one.
 */
@RestController
@RequestMapping("/api/v1/messages")
public class MessagesController {

    private static final int MAX_PAGE = 500;

    private final Messages messages;
    private final MessageStore store;
    private final ProfileAdmin profiles;

    public MessagesController(Messages messages, MessageStore store, ProfileAdmin profiles) {
        this.messages = messages;
        this.store = store;
        this.profiles = profiles;
    }

    @PostMapping
    public ResponseEntity<Map<String, Object>> send(@RequestBody Map<String, Object> body) {
        Messages.SendRequest r = Messages.request(body);
        MessageStore.Row row = messages.send(r);
        HttpStatus status = "queued".equals(row.status()) || "sending".equals(row.status()) || "sent".equals(row.status())
                ? HttpStatus.ACCEPTED : HttpStatus.OK;
        return ResponseEntity.status(status).body(view(row));
    }

    @GetMapping
    public Map<String, Object> list(@RequestParam(name = "profile", required = false) String profile,
                                    @RequestParam(name = "campaign", required = false) String campaign,
                                    @RequestParam(name = "page", defaultValue = "0") int page,
                                    @RequestParam(name = "size", defaultValue = "50") int size) {
        if (profile == null && campaign == null) {
            throw bad("profile", "give ?profile=<profile id or idType:idValue> or ?campaign=<campaign id>");
        }
        if (page < 0 || size < 1 || size > MAX_PAGE) {
            throw bad("size", "page >= 0 and size from 1 to " + MAX_PAGE);
        }
        Long profileId = profile == null ? null : profiles.resolveRef("profile", profile);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("page", page);
        out.put("size", size);
        out.put("total", store.count(profileId, campaign));
        out.put("messages", store.views(store.list(profileId, campaign, page * size, size)));
        return out;
    }

    @GetMapping("/{id}")
    public Map<String, Object> one(@PathVariable String id) {
        return view(store.find(id).orElseThrow(() -> ApiException.notFound("no message " + id)));
    }

    Map<String, Object> view(MessageStore.Row m) {
        return store.view(m);
    }

    private static ApiException bad(String field, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "bad_request", Map.of("field", field, "message", message));
    }
}
