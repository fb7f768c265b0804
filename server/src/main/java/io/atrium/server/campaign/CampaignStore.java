package io.atrium.server.campaign;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.server.api.ApiException;
import io.atrium.server.message.Templates;
import io.atrium.server.plugin.ChannelRegistry;
import io.atrium.server.segment.SegmentStore;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The {@code campaigns} table. A campaign is saved only when its definition parses and what it
 * names exists: its segments, and a template for each channel step whose channel matches.
 * States: {@code draft} (saved, not running), {@code active} (launched: triggers start journeys,
 * journeys advance), {@code paused} (nothing starts or advances until it is launched again).
 */
@Component
public class CampaignStore {

    private final JdbcTemplate jdbc;
    private final ObjectMapper mapper;
    private final SegmentStore segments;
    private final Templates templates;
    private final ChannelRegistry channels;
    private final Map<String, CampaignDefinition> parsed = new ConcurrentHashMap<>();

    public CampaignStore(JdbcTemplate jdbc, ObjectMapper mapper, SegmentStore segments, Templates templates,
                         ChannelRegistry channels) {
        this.jdbc = jdbc;
        this.mapper = mapper;
        this.segments = segments;
        this.templates = templates;
        this.channels = channels;
    }

    public record Campaign(String id, String name, String state, JsonNode definition, Instant createdAt, Instant updatedAt,
                           Instant launchedAt, Instant nextRunAt) {
    }

    /** Every problem of a definition, parsing and references both; empty when it can be saved. */
    public List<CampaignDefinition.Problem> problems(JsonNode definition) {
        List<CampaignDefinition.Problem> problems = new ArrayList<>();
        CampaignDefinition d = CampaignDefinition.parse(definition, problems);
        if (d == null) {
            return problems;
        }
        if (d.trigger().segment() != null && segments.get(d.trigger().segment()).isEmpty()) {
            problems.add(new CampaignDefinition.Problem("$.trigger.segment", "no segment " + d.trigger().segment()));
        }
        if (d.audienceSegment() != null && segments.get(d.audienceSegment()).isEmpty()) {
            problems.add(new CampaignDefinition.Problem("$.audience.segment", "no segment " + d.audienceSegment()));
        }
        for (int i = 0; i < d.steps().size(); i++) {
            CampaignDefinition.Step s = d.steps().get(i);
            for (int j = 0; j < s.channels().size(); j++) {
                CampaignDefinition.ChannelStep c = s.channels().get(j);
                String path = "$.steps[" + i + "]" + (s.type().equals("cascade") ? ".channels[" + j + "]" : "");
                try {
                    Templates.MessageTemplate t = templates.get(c.template());
                    if (!t.channel().equals(c.channel())) {
                        problems.add(new CampaignDefinition.Problem(path + ".template", "template '" + c.template()
                                + "' is for channel '" + t.channel() + "', not '" + c.channel() + "'"));
                    }
                } catch (ApiException e) {
                    problems.add(new CampaignDefinition.Problem(path + ".template", "no template '" + c.template() + "'"));
                }
            }
        }
        return problems;
    }

    /** Channels the definition uses that no started plugin provides now: a warning, not a refusal (plugins come and go). */
    public List<String> missingChannels(CampaignDefinition d) {
        return d.channelSteps().stream().map(CampaignDefinition.ChannelStep::channel).distinct()
                .filter(c -> channels.channel(c).isEmpty()).toList();
    }

    public List<Campaign> list() {
        return jdbc.query("SELECT * FROM campaigns ORDER BY created_at, id", this::row);
    }

    public Optional<Campaign> find(String id) {
        return jdbc.query("SELECT * FROM campaigns WHERE id = ?", this::row, id).stream().findFirst();
    }

    public Campaign get(String id) {
        return find(id).orElseThrow(() -> ApiException.notFound("no campaign '" + id + "'"));
    }

    /** The parsed definition of a stored campaign, cached by id and update time. */
    public CampaignDefinition definition(Campaign c) {
        String key = c.id() + "@" + c.updatedAt();
        return parsed.computeIfAbsent(key, k -> {
            List<CampaignDefinition.Problem> problems = new ArrayList<>();
            CampaignDefinition d = CampaignDefinition.parse(c.definition(), problems);
            if (d == null) {
                throw new IllegalStateException("stored campaign " + c.id() + " no longer parses: " + problems);
            }
            return d;
        });
    }

    public Campaign create(String id, JsonNode definition) {
        if (id == null || !id.matches("[a-z0-9][a-z0-9_-]{0,99}")) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "invalid_campaign",
                    List.of(new CampaignDefinition.Problem("$.id", "required: lower-case letters, digits, '-' and '_'")));
        }
        refuse(problems(definition));
        try {
            jdbc.update("INSERT INTO campaigns (id, name, definition) VALUES (?, ?, ?::jsonb)", id,
                    definition.path("name").asText(), json(definition));
        } catch (DuplicateKeyException e) {
            throw new ApiException(HttpStatus.CONFLICT, "conflict", "a campaign with id '" + id + "' exists already");
        }
        return get(id);
    }

    public Campaign update(String id, JsonNode definition) {
        Campaign c = get(id);
        refuse(problems(definition));
        if (!c.state().equals("draft") && !c.state().equals("paused")) {
            throw new ApiException(HttpStatus.CONFLICT, "conflict", "campaign '" + id + "' is " + c.state()
                    + "; pause it before changing it");
        }
        jdbc.update("UPDATE campaigns SET name = ?, definition = ?::jsonb, updated_at = now() WHERE id = ?",
                definition.path("name").asText(), json(definition), id);
        return get(id);
    }

    public void setState(String id, String state, Instant nextRunAt) {
        jdbc.update("UPDATE campaigns SET state = ?, launched_at = CASE WHEN ? = 'active' THEN COALESCE(launched_at, now()) "
                + "ELSE launched_at END, next_run_at = ?, updated_at = updated_at WHERE id = ?", state, state,
                nextRunAt == null ? null : Timestamp.from(nextRunAt), id);
    }

    public void delete(String id) {
        if (jdbc.update("DELETE FROM campaigns WHERE id = ?", id) == 0) {
            throw ApiException.notFound("no campaign '" + id + "'");
        }
    }

    /** Active campaigns whose trigger is of {@code type}. */
    public List<Campaign> active(String triggerType) {
        return jdbc.query("SELECT * FROM campaigns WHERE state = 'active' AND definition->'trigger'->>'type' = ?", this::row,
                triggerType);
    }

    /** Active campaigns that have a goal event. */
    public List<Campaign> activeWithGoal() {
        return jdbc.query("SELECT * FROM campaigns WHERE state = 'active' AND definition->'goal'->>'event' IS NOT NULL", this::row);
    }

    private static void refuse(List<CampaignDefinition.Problem> problems) {
        if (!problems.isEmpty()) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "invalid_campaign", problems);
        }
    }

    private String json(JsonNode n) {
        try {
            return mapper.writeValueAsString(n);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private Campaign row(ResultSet rs, int i) throws SQLException {
        try {
            return new Campaign(rs.getString("id"), rs.getString("name"), rs.getString("state"),
                    mapper.readTree(rs.getString("definition")), rs.getTimestamp("created_at").toInstant(),
                    rs.getTimestamp("updated_at").toInstant(), instant(rs.getTimestamp("launched_at")),
                    instant(rs.getTimestamp("next_run_at")));
        } catch (java.io.IOException e) {
            throw new SQLException(e);
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
