package io.atrium.server.campaign;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.atrium.server.api.ApiException;
import io.atrium.server.audit.AuditLog;
import io.atrium.server.message.ConsentCheck;
import io.atrium.server.message.MessageStore;
import io.atrium.server.plugin.ChannelRegistry;
import io.atrium.server.profile.ProfileAdmin;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/campaigns}: definitions (JSON, or YAML with {@code Content-Type: application/yaml}),
 * validate, launch, pause, stats per step and channel, the per-person trace, and a dry run.
 */
@RestController
@RequestMapping("/api/v1/campaigns")
public class CampaignsController {

    private static final YAMLMapper YAML = new YAMLMapper();

    private final CampaignStore store;
    private final CampaignTriggers triggers;
    private final Journeys journeys;
    private final MessageStore messages;
    private final ProfileAdmin profiles;
    private final ChannelRegistry channels;
    private final ConsentCheck consent;
    private final JdbcTemplate jdbc;
    private final ObjectMapper mapper;
    private final AuditLog audit;
    private final CampaignStats stats;

    public CampaignsController(CampaignStore store, CampaignTriggers triggers, Journeys journeys, MessageStore messages,
                               ProfileAdmin profiles, ChannelRegistry channels, ConsentCheck consent, JdbcTemplate jdbc,
                               ObjectMapper mapper, AuditLog audit, CampaignStats stats) {
        this.store = store;
        this.triggers = triggers;
        this.journeys = journeys;
        this.messages = messages;
        this.profiles = profiles;
        this.channels = channels;
        this.consent = consent;
        this.jdbc = jdbc;
        this.mapper = mapper;
        this.audit = audit;
        this.stats = stats;
    }

    private JsonNode read(String body, String contentType) {
        try {
            boolean yaml = contentType != null && (contentType.contains("yaml") || contentType.contains("yml"));
            JsonNode n = yaml ? YAML.readTree(body) : mapper.readTree(body);
            if (n == null || !n.isObject()) {
                throw new ApiException(HttpStatus.BAD_REQUEST, "invalid_campaign",
                        List.of(new CampaignDefinition.Problem("$", "a campaign is an object")));
            }
            return n;
        } catch (java.io.IOException e) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "bad_request", Map.of("message", "the body does not parse: "
                    + e.getMessage().lines().findFirst().orElse("")));
        }
    }

    private Map<String, Object> view(CampaignStore.Campaign c) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", c.id());
        v.put("name", c.name());
        v.put("state", c.state());
        v.put("definition", c.definition());
        v.put("createdAt", c.createdAt());
        v.put("updatedAt", c.updatedAt());
        v.put("launchedAt", c.launchedAt());
        v.put("nextRunAt", c.nextRunAt());
        v.put("missingChannels", store.missingChannels(store.definition(c)));
        return v;
    }

    @GetMapping
    public List<Map<String, Object>> list() {
        return store.list().stream().map(this::view).toList();
    }

    @GetMapping("/{id}")
    public Object one(@PathVariable String id, @RequestParam(name = "format", required = false) String format) {
        CampaignStore.Campaign c = store.get(id);
        if ("yaml".equals(format)) {
            try {
                ObjectNode d = c.definition().deepCopy();
                return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/yaml"))
                        .body(YAML.writeValueAsString(d));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return view(c);
    }

    @PostMapping
    public ResponseEntity<Map<String, Object>> create(@RequestBody String body,
                                                      @RequestHeader(name = "Content-Type", required = false) String type,
                                                      java.security.Principal who) {
        ObjectNode n = (ObjectNode) read(body, type);
        String id = n.path("id").asText(null);
        n.remove("id");
        CampaignStore.Campaign c = store.create(id, n);
        audit.record(who.getName(), "campaign.create", "campaign/" + id, Map.of("name", c.name()));
        return ResponseEntity.status(HttpStatus.CREATED).body(view(c));
    }

    @PutMapping("/{id}")
    public Map<String, Object> update(@PathVariable String id, @RequestBody String body,
                                      @RequestHeader(name = "Content-Type", required = false) String type, java.security.Principal who) {
        ObjectNode n = (ObjectNode) read(body, type);
        n.remove("id");
        CampaignStore.Campaign c = store.update(id, n);
        audit.record(who.getName(), "campaign.update", "campaign/" + id, Map.of("name", c.name()));
        return view(c);
    }

    @DeleteMapping("/{id}")
    public ResponseEntity<Void> delete(@PathVariable String id, java.security.Principal who) {
        store.delete(id);
        stats.forget(id);
        audit.record(who.getName(), "campaign.delete", "campaign/" + id, Map.of());
        return ResponseEntity.noContent().build();
    }

    /** {@code {"valid": bool, "problems": [{path, message}], "missingChannels": [...]}} without saving. */
    @PostMapping("/validate")
    public Map<String, Object> validate(@RequestBody String body, @RequestHeader(name = "Content-Type", required = false) String type) {
        ObjectNode n = (ObjectNode) read(body, type);
        n.remove("id");
        List<CampaignDefinition.Problem> problems = store.problems(n);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("valid", problems.isEmpty());
        out.put("problems", problems);
        if (problems.isEmpty()) {
            out.put("missingChannels", store.missingChannels(CampaignDefinition.parse(n, new ArrayList<>())));
        }
        return out;
    }

    /**
     * Starts (or resumes) it. A broadcast's audience enters now; a schedule's next run is set; event
     * and segment triggers start journeys from now on.
     */
    @PostMapping("/{id}/launch")
    public Map<String, Object> launch(@PathVariable String id, java.security.Principal who) {
        CampaignStore.Campaign c = store.get(id);
        CampaignDefinition d = store.definition(c);
        Map<String, Object> out = new LinkedHashMap<>();
        Instant nextRun = c.nextRunAt();
        if (d.trigger().type().equals("schedule") && nextRun == null && !"paused".equals(c.state())) {
            nextRun = d.trigger().at().atZone(d.trigger().timeZone()).toInstant();
        }
        store.setState(id, "active", nextRun);
        if (d.trigger().type().equals("broadcast")) {
            out.put("entered", triggers.broadcast(store.get(id), d, "launch-" + Instant.now()));
        }
        audit.record(who.getName(), "campaign.launch", "campaign/" + id, Map.of());
        out.put("campaign", view(store.get(id)));
        return out;
    }

    @PostMapping("/{id}/pause")
    public Map<String, Object> pause(@PathVariable String id, java.security.Principal who) {
        CampaignStore.Campaign c = store.get(id);
        store.setState(id, "paused", c.nextRunAt());
        audit.record(who.getName(), "campaign.pause", "campaign/" + id, Map.of());
        return view(store.get(id));
    }

    /** Journeys by state, and per step and channel: sent, delivered, opened, clicked, failed, skipped, fell back ({@link CampaignStats}). */
    @GetMapping("/{id}/stats")
    public Map<String, Object> stats(@PathVariable String id) {
        CampaignStore.Campaign c = store.get(id);
        return stats.of(c, store.definition(c));
    }

    /** Why this person did or didn't get each message: their journeys, every decision, and the messages. */
    @GetMapping("/{id}/trace")
    public Map<String, Object> trace(@PathVariable String id, @RequestParam("profile") String profile) {
        store.get(id);
        long profileId = profiles.resolveRef("profile", profile);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Journeys.Journey j : journeys.ofProfile(id, profileId)) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("journeyId", j.id());
            v.put("state", j.state());
            v.put("step", j.step());
            v.put("enteredAt", j.enteredAt());
            v.put("endedAt", j.endedAt());
            v.put("endReason", j.endReason());
            v.put("convertedAt", j.convertedAt());
            v.put("nextAt", j.wakeAt());
            v.put("log", journeys.trace(j));
            out.add(v);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("campaignId", id);
        result.put("profileId", profileId);
        result.put("journeys", out);
        // Each message as /api/v1/messages shows it (with its history), and its step under the name the trace has used.
        result.put("messages", messages.views(messages.list(profileId, id, 0, 500)).stream().map(v -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", v.get("id"));
            m.put("step", v.get("stepId"));
            m.putAll(v);
            return m;
        }).toList());
        return result;
    }

    /**
     * What the campaign would do for its audience now, sending nothing: for each step that sends, how
     * many people it would reach on which channel (the first channel of a cascade where they have an
     * address and consent), and why the others would be skipped. Later steps depend on delivery, so
     * this is what the first attempt of each step would do.
     */
    @PostMapping("/{id}/dry-run")
    public Map<String, Object> dryRun(@PathVariable String id) {
        CampaignStore.Campaign c = store.get(id);
        CampaignDefinition d = store.definition(c);
        Long segment = d.audienceSegment() != null ? d.audienceSegment() : d.trigger().segment();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("campaignId", id);
        if (segment == null) {
            out.put("audience", null);
            out.put("note", "an event-triggered campaign with no audience segment has no audience to simulate yet");
            return out;
        }
        List<Map<String, Object>> steps = new ArrayList<>();
        Map<String, Map<String, Long>> reach = new LinkedHashMap<>();
        Map<String, Map<String, Long>> reasons = new LinkedHashMap<>();
        for (CampaignDefinition.Step s : d.steps()) {
            if (!s.channels().isEmpty()) {
                Map<String, Long> r = new LinkedHashMap<>();
                s.channels().forEach(cs -> r.put(cs.channel(), 0L));
                r.put("nobody", 0L);
                reach.put(s.id(), r);
                reasons.put(s.id(), new TreeMap<>());
            }
        }
        triggers.computeAudience(segment);
        long[] audience = {0};
        long after = -1;
        while (true) {
            List<Long> batch = jdbc.queryForList("SELECT profile_id FROM segment_members WHERE segment_id = ? AND profile_id > ? "
                    + "ORDER BY profile_id LIMIT 1000", Long.class, segment, after);
            if (batch.isEmpty()) {
                break;
            }
            after = batch.get(batch.size() - 1);
            audience[0] += batch.size();
            Long[] ids = batch.toArray(Long[]::new);
            Map<Long, Map<String, String>> addresses = new HashMap<>();
            jdbc.query("SELECT profile_id, type, value FROM identities WHERE profile_id = ANY(?)", rs -> {
                addresses.computeIfAbsent(rs.getLong(1), k -> new HashMap<>()).put(rs.getString(2), rs.getString(3));
            }, (Object) ids);
            Map<Long, Map<String, Map<String, Boolean>>> consents = new HashMap<>();
            jdbc.query("SELECT profile_id, channel, purpose, granted FROM consents WHERE profile_id = ANY(?)", rs -> {
                consents.computeIfAbsent(rs.getLong(1), k -> new HashMap<>()).computeIfAbsent(rs.getString(2), k -> new HashMap<>())
                        .put(rs.getString(3), rs.getBoolean(4));
            }, (Object) ids);
            for (Long p : batch) {
                for (CampaignDefinition.Step s : d.steps()) {
                    if (s.channels().isEmpty()) {
                        continue;
                    }
                    String reached = null;
                    for (CampaignDefinition.ChannelStep cs : s.channels()) {
                        String why = why(cs.channel(), d.purpose(), addresses.getOrDefault(p, Map.of()),
                                consents.getOrDefault(p, Map.of()).getOrDefault(cs.channel(), Map.of()));
                        if (why == null) {
                            reached = cs.channel();
                            break;
                        }
                        reasons.get(s.id()).merge(cs.channel() + ": " + why, 1L, Long::sum);
                    }
                    reach.get(s.id()).merge(reached == null ? "nobody" : reached, 1L, Long::sum);
                }
            }
        }
        for (Map.Entry<String, Map<String, Long>> e : reach.entrySet()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("step", e.getKey());
            s.put("wouldReach", e.getValue());
            s.put("skipped", reasons.get(e.getKey()));
            steps.add(s);
        }
        out.put("audience", audience[0]);
        out.put("steps", steps);
        out.put("note", "nothing was sent; frequency caps and quiet hours are applied at send time and not simulated");
        return out;
    }

    private String why(String channel, String purpose, Map<String, String> addresses, Map<String, Boolean> consents) {
        ChannelRegistry.Channel ch = channels.channel(channel).orElse(null);
        if (ch == null) {
            return "no started plugin provides the channel";
        }
        if (!addresses.containsKey(ch.options().addressType())) {
            return "no " + ch.options().addressType();
        }
        String refusal = ch.options().internal() ? null : consent.refusal(consents, channel, purpose);
        return refusal == null ? null : "no consent";
    }
}
