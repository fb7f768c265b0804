package io.atrium.server.message;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.MessageStatus;
import io.atrium.plugin.api.OutboundMessage;
import io.atrium.server.api.ApiException;
import io.atrium.server.broker.Queues;
import io.atrium.server.config.PublicUrl;
import io.atrium.server.plugin.ChannelRegistry;
import io.atrium.server.profile.ProfileAdmin;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jms.JmsException;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.stereotype.Service;

/**
 * The one way a message goes out, for the API, YAML routes ({@code atrium:send}) and campaigns:
 * find the person's address on the channel, check consent, render the template, record the message,
 * and queue its id on the channel's durable outbound queue. A message the hub will not send (no
 * address, no consent, a template value missing) is recorded too, as {@code failed} with the reason,
 * so that "why did this person not get it" always has an answer.
 */
@Service
public class Messages {

    private static final Logger log = LoggerFactory.getLogger(Messages.class);
    private static final Pattern HREF = Pattern.compile("(href\\s*=\\s*\")(https?://[^\"]+)(\")", Pattern.CASE_INSENSITIVE);

    private final ChannelRegistry channels;
    private final MessageStore store;
    private final ConsentCheck consent;
    private final Templates templates;
    private final ProfileAdmin profiles;
    private final PublicUrl publicUrl;
    private final JmsTemplate jms;
    private final JdbcTemplate jdbc;
    private final ObjectMapper mapper;

    public Messages(ChannelRegistry channels, MessageStore store, ConsentCheck consent, Templates templates,
                    ProfileAdmin profiles, PublicUrl publicUrl, JmsTemplate jms, JdbcTemplate jdbc, ObjectMapper mapper) {
        this.channels = channels;
        this.store = store;
        this.consent = consent;
        this.templates = templates;
        this.profiles = profiles;
        this.publicUrl = publicUrl;
        this.jms = jms;
        this.jdbc = jdbc;
        this.mapper = mapper;
    }

    /**
     * A message to send. The person is {@code profileId}, or the profile holding identity
     * {@code idType}/{@code idValue}. The content is the stored template {@code templateId}, or inline
     * {@code subject}/{@code text}/{@code html} (Mustache too). {@code dedupeKey}: a second request with
     * the same key is the same message (a campaign step, an order notification).
     */
    public record SendRequest(Long profileId, String idType, String idValue, String channel, String purpose,
                              String templateId, String subject, String text, String html, Map<String, Object> data,
                              Map<String, Object> event, Map<String, Object> campaign, String campaignId, String stepId,
                              String dedupeKey, Map<String, Object> attributes) {
    }

    private static final List<String> FIELDS = List.of("profile", "channel", "purpose", "template", "subject", "text", "html",
            "data", "event", "campaign", "campaignId", "stepId", "dedupeKey", "attributes");

    /**
     * Reads a request in the JSON shape of {@code POST /api/v1/messages} (docs/messages.md); every
     * problem is a 400 naming the field.
     */
    public static SendRequest request(Map<String, Object> body) {
        for (String key : body.keySet()) {
            if (!FIELDS.contains(key)) {
                throw bad(key, "unknown field; a message has " + String.join(", ", FIELDS));
            }
        }
        Long profileId = null;
        String idType = null;
        String idValue = null;
        if (body.get("profile") instanceof Map<?, ?> p) {
            if (p.get("id") instanceof Number n) {
                profileId = n.longValue();
            } else {
                idType = string(p, "idType");
                idValue = string(p, "idValue");
            }
        } else if (body.get("profile") != null) {
            throw bad("profile", "must be {\"id\": <profile id>} or {\"idType\": \"email\", \"idValue\": \"...\"}");
        }
        return new SendRequest(profileId, idType, idValue, string(body, "channel"), string(body, "purpose"),
                string(body, "template"), string(body, "subject"), string(body, "text"), string(body, "html"),
                object(body, "data"), object(body, "event"), object(body, "campaign"), string(body, "campaignId"),
                string(body, "stepId"), string(body, "dedupeKey"), object(body, "attributes"));
    }

    private static String string(Map<?, ?> body, String field) {
        Object v = body.get(field);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw bad(field, "must be a string");
        }
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Map<String, Object> body, String field) {
        Object v = body.get(field);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map<?, ?>)) {
            throw bad(field, "must be a JSON object");
        }
        return (Map<String, Object>) v;
    }

    public MessageStore.Row send(SendRequest r) {
        if (r.channel() == null) {
            throw bad("channel", "required: the channel to send on (" + String.join(", ", channels.channels().keySet()) + ")");
        }
        ChannelRegistry.Channel channel = channels.channel(r.channel()).orElseThrow(() -> new ApiException(
                HttpStatus.UNPROCESSABLE_ENTITY, "unknown_channel", Map.of("field", "channel", "message",
                "no started plugin provides channel '" + r.channel() + "'; channels now: " + channels.channels().keySet())));
        String purpose = r.purpose() == null ? OutboundMessage.MARKETING : r.purpose();
        if (!purpose.equals(OutboundMessage.MARKETING) && !purpose.equals(OutboundMessage.TRANSACTIONAL)) {
            throw bad("purpose", "must be marketing or transactional, got '" + purpose + "'");
        }
        Templates.MessageTemplate template = null;
        if (r.templateId() != null) {
            template = templates.get(r.templateId());
            if (!template.channel().equals(r.channel())) {
                throw bad("template", "template '" + template.id() + "' is for channel '" + template.channel()
                        + "', not '" + r.channel() + "'");
            }
        } else if (r.text() == null || r.text().isBlank()) {
            throw bad("template", "give a template id, or the message's text");
        }
        long profileId = profile(r);

        String id = MessageStore.newId();
        String addressType = channel.options().addressType();
        List<String> addresses = jdbc.queryForList("SELECT value FROM identities WHERE profile_id = ? AND type = ? "
                + "ORDER BY first_seen DESC, id DESC LIMIT 1", String.class, profileId, addressType);
        String address = addresses.isEmpty() ? null : addresses.get(0);
        Map<String, Object> attributes = new LinkedHashMap<>(r.attributes() == null ? Map.of() : r.attributes());
        String unsubscribeUrl = publicUrl.get() + "/t/u/" + id;
        attributes.put("unsubscribeUrl", unsubscribeUrl);
        MessageStore.NewMessage base = new MessageStore.NewMessage(id, profileId, r.channel(), addressType, address, purpose,
                r.templateId(), r.campaignId(), r.stepId(), r.dedupeKey(), null, null, null, List.of(), attributes);
        if (address == null) {
            return store.insert(base, MessageStatus.FAILED, FailureReason.NO_ADDRESS,
                    "the person has no " + addressType + " for channel " + r.channel());
        }
        String refusal = consent.refusal(profileId, r.channel(), purpose);
        if (refusal != null) {
            return store.insert(base, MessageStatus.FAILED, FailureReason.NO_CONSENT, refusal);
        }
        Map<String, Object> model = model(profileId, id, unsubscribeUrl, r);
        Templates.Rendered rendered;
        try {
            rendered = template != null ? templates.render(template, model) : templates.render(r.subject(), r.text(), r.html(), model);
        } catch (Templates.RenderException e) {
            return store.insert(base, MessageStatus.FAILED, "template_error", e.getMessage());
        }
        List<String> links = new ArrayList<>();
        String html = rendered.html() == null ? null : track(rendered.html(), id, links);
        MessageStore.NewMessage m = new MessageStore.NewMessage(id, profileId, r.channel(), addressType, address, purpose,
                r.templateId(), r.campaignId(), r.stepId(), r.dedupeKey(), rendered.subject(), rendered.text(), html, links,
                attributes);
        MessageStore.Row row = store.insert(m, MessageStatus.QUEUED, null, null);
        if (!row.id().equals(id)) {
            return row; // the same dedupe key was sent before
        }
        try {
            jms.convertAndSend(Queues.outbound(r.channel()), id);
        } catch (JmsException e) {
            store.record(id, "hub-" + id + "-failed", MessageStatus.FAILED, FailureReason.UNAVAILABLE,
                    "the outbound queue is unavailable: " + e.getMessage(), null, Map.of());
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "unavailable",
                    "the outbound queue of channel " + r.channel() + " is unavailable; the message was not sent");
        }
        log.debug("Queued {} message {} for profile {}", r.channel(), id, profileId);
        return store.find(id).orElseThrow();
    }

    private long profile(SendRequest r) {
        if (r.profileId() != null) {
            if (jdbc.queryForList("SELECT id FROM profiles WHERE id = ?", Long.class, r.profileId()).isEmpty()) {
                throw ApiException.notFound("no profile " + r.profileId());
            }
            return r.profileId();
        }
        if (r.idType() == null || r.idValue() == null) {
            throw bad("profile", "required: {\"id\": <profile id>} or {\"idType\": \"email\", \"idValue\": \"...\"}");
        }
        return profiles.resolve(r.idType(), r.idValue());
    }

    /** What a template can use: the person's traits and identities, the message, and what the sender gave. */
    public Map<String, Object> model(long profileId, String messageId, String unsubscribeUrl, SendRequest r) {
        Map<String, Object> model = new LinkedHashMap<>();
        Map<String, Object> traits = new LinkedHashMap<>();
        jdbc.query("SELECT name, value::text FROM traits WHERE profile_id = ?", rs -> {
            try {
                traits.put(rs.getString(1), mapper.readValue(rs.getString(2), Object.class));
            } catch (Exception e) {
                traits.put(rs.getString(1), rs.getString(2));
            }
        }, profileId);
        Map<String, Object> identities = new LinkedHashMap<>();
        jdbc.query("SELECT type, value FROM identities WHERE profile_id = ? ORDER BY first_seen", rs -> {
            identities.put(rs.getString(1), rs.getString(2));
        }, profileId);
        model.put("traits", traits);
        model.put("identities", identities);
        model.put("profile", Map.of("id", profileId));
        model.put("message", Map.of("id", messageId));
        model.put("unsubscribe_url", unsubscribeUrl);
        if (r.event() != null) {
            model.put("event", r.event());
        }
        if (r.campaign() != null) {
            model.put("campaign", r.campaign());
        }
        if (r.data() != null) {
            model.put("data", r.data());
        }
        return model;
    }

    /** Points every link of an HTML body at the hub's click redirect and adds the open pixel. */
    String track(String html, String id, List<String> links) {
        String base = publicUrl.get();
        Matcher m = HREF.matcher(html);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String url = m.group(2);
            String replacement;
            if (url.startsWith(base + "/t/")) {
                replacement = m.group(0);
            } else {
                links.add(url.replace("&amp;", "&"));
                replacement = m.group(1) + base + "/t/c/" + id + "/" + (links.size() - 1) + m.group(3);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        String pixel = "<img src=\"" + base + "/t/o/" + id + ".gif\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\">";
        int body = out.lastIndexOf("</body>");
        if (body >= 0) {
            out.insert(body, pixel);
        } else {
            out.append(pixel);
        }
        return out.toString();
    }

    private static ApiException bad(String field, String message) {
        return new ApiException(HttpStatus.BAD_REQUEST, "bad_request", Map.of("field", field, "message", message));
    }
}
