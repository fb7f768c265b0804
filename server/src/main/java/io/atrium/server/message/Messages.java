package io.atrium.server.message;

import java.util.ArrayList;
import java.util.HashMap;
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

    /** What became of one request of {@link #sendAll}: the recorded message, or why there is none. */
    public record Result(MessageStore.Row row, ApiException error) {
    }

    /** Sends one message; every refusal of the request itself is an {@link ApiException} (4xx, or 503). */
    public MessageStore.Row send(SendRequest r) {
        Result result = sendAll(List.of(r)).get(0);
        if (result.error() != null) {
            throw result.error();
        }
        return result.row();
    }

    /** A request checked, with what it needs. */
    private static final class Work {
        final SendRequest r;
        ChannelRegistry.Channel channel;
        String purpose;
        Templates.MessageTemplate template;
        Long profileId;
        ApiException error;
        MessageStore.Row row;

        Work(SendRequest r) {
            this.r = r;
        }
    }

    /**
     * Sends many messages with a few queries for all of them, one database transaction and one
     * broker transaction: what a campaign step does for a batch of journeys. Each request gets its
     * own result, in order; a request that is refused does not stop the others.
     */
    public List<Result> sendAll(List<SendRequest> requests) {
        return sendAll(requests, true);
    }

    /**
     * {@link #sendAll(List)}; {@code guardErasure} false for a caller that holds row locks a profile erasure
     * waits for (see {@link MessageStore#insertAll(List, boolean)}).
     */
    public List<Result> sendAll(List<SendRequest> requests, boolean guardErasure) {
        List<Work> work = new ArrayList<>();
        Map<String, Templates.MessageTemplate> templateCache = new HashMap<>();
        for (SendRequest r : requests) {
            Work w = new Work(r);
            work.add(w);
            try {
                check(w, templateCache);
            } catch (ApiException e) {
                w.error = e;
            }
        }
        List<Work> ok = work.stream().filter(w -> w.error == null).toList();
        // Who the people are: profiles named by id must exist.
        List<Long> byId = ok.stream().map(w -> w.profileId).distinct().toList();
        java.util.Set<Long> existing = new java.util.HashSet<>(byId.isEmpty() ? List.of()
                : jdbc.queryForList("SELECT id FROM profiles WHERE id = ANY(?)", Long.class, (Object) byId.toArray(Long[]::new)));
        for (Work w : ok) {
            if (!existing.contains(w.profileId)) {
                w.error = ApiException.notFound("no profile " + w.profileId);
            }
        }
        ok = ok.stream().filter(w -> w.error == null).toList();
        if (ok.isEmpty()) {
            return work.stream().map(w -> new Result(w.row, w.error)).toList();
        }
        // A dedupe key sent before answers the earlier message, and nothing more is done for it.
        List<String> keys = ok.stream().map(w -> w.r.dedupeKey()).filter(java.util.Objects::nonNull).toList();
        Map<String, MessageStore.Row> earlier = store.byDedupeKeys(keys);
        for (Work w : ok) {
            if (w.r.dedupeKey() != null && earlier.containsKey(w.r.dedupeKey())) {
                w.row = earlier.get(w.r.dedupeKey());
            }
        }
        List<Work> fresh = ok.stream().filter(w -> w.row == null).toList();
        if (fresh.isEmpty()) {
            return work.stream().map(w -> new Result(w.row, w.error)).toList();
        }
        Long[] people = fresh.stream().map(w -> w.profileId).distinct().toArray(Long[]::new);
        Map<Long, Map<String, String>> newestIdentity = new HashMap<>();
        Map<Long, Map<String, Object>> identities = new HashMap<>();
        jdbc.query("SELECT profile_id, type, value FROM identities WHERE profile_id = ANY(?) ORDER BY profile_id, first_seen, id",
                rs -> {
                    long p = rs.getLong(1);
                    newestIdentity.computeIfAbsent(p, k -> new HashMap<>()).put(rs.getString(2), rs.getString(3));
                    identities.computeIfAbsent(p, k -> new LinkedHashMap<>()).put(rs.getString(2), rs.getString(3));
                }, (Object) people);
        Map<Long, Map<String, Map<String, Boolean>>> consents = new HashMap<>();
        jdbc.query("SELECT profile_id, channel, purpose, granted FROM consents WHERE profile_id = ANY(?)", rs -> {
            consents.computeIfAbsent(rs.getLong(1), k -> new HashMap<>()).computeIfAbsent(rs.getString(2), k -> new HashMap<>())
                    .put(rs.getString(3), rs.getBoolean(4));
        }, (Object) people);
        Map<Long, Map<String, Object>> traits = new HashMap<>();
        jdbc.query("SELECT profile_id, name, value::text FROM traits WHERE profile_id = ANY(?)", rs -> {
            Object value;
            try {
                value = mapper.readValue(rs.getString(3), Object.class);
            } catch (Exception e) {
                value = rs.getString(3);
            }
            traits.computeIfAbsent(rs.getLong(1), k -> new LinkedHashMap<>()).put(rs.getString(2), value);
        }, (Object) people);

        List<MessageStore.Pending> pending = new ArrayList<>();
        String base = publicUrl.get();
        for (Work w : fresh) {
            String id = MessageStore.newId();
            String addressType = w.channel.options().addressType();
            String address = newestIdentity.getOrDefault(w.profileId, Map.of()).get(addressType);
            Map<String, Object> attributes = new LinkedHashMap<>(w.r.attributes() == null ? Map.of() : w.r.attributes());
            boolean internal = w.channel.options().internal();
            String unsubscribeUrl = internal ? null : base + "/t/u/" + id; // staff-facing: nobody to unsubscribe
            if (unsubscribeUrl != null) {
                attributes.put("unsubscribeUrl", unsubscribeUrl);
            }
            MessageStore.NewMessage bare = new MessageStore.NewMessage(id, w.profileId, w.r.channel(), addressType, address,
                    w.purpose, w.r.templateId(), w.r.campaignId(), w.r.stepId(), w.r.dedupeKey(), null, null, null, List.of(),
                    attributes);
            if (address == null) {
                pending.add(new MessageStore.Pending(bare, MessageStatus.FAILED, FailureReason.NO_ADDRESS,
                        "the person has no " + addressType + " for channel " + w.r.channel()));
                continue;
            }
            String refusal = internal ? null : consent.refusal(consents.getOrDefault(w.profileId, Map.of())
                    .getOrDefault(w.r.channel(), Map.of()), w.r.channel(), w.purpose);
            if (refusal != null) {
                pending.add(new MessageStore.Pending(bare, MessageStatus.FAILED, FailureReason.NO_CONSENT, refusal));
                continue;
            }
            Map<String, Object> model = model(w.profileId, id, unsubscribeUrl, w.r, traits.getOrDefault(w.profileId, Map.of()),
                    identities.getOrDefault(w.profileId, Map.of()));
            Templates.Rendered rendered;
            try {
                rendered = w.template != null ? templates.render(w.template, model)
                        : templates.render(w.r.subject(), w.r.text(), w.r.html(), model);
            } catch (Templates.RenderException e) {
                pending.add(new MessageStore.Pending(bare, MessageStatus.FAILED, "template_error", e.getMessage()));
                continue;
            }
            List<String> links = new ArrayList<>();
            String html = rendered.html() == null ? null : track(rendered.html(), id, links, base);
            pending.add(new MessageStore.Pending(new MessageStore.NewMessage(id, w.profileId, w.r.channel(), addressType, address,
                    w.purpose, w.r.templateId(), w.r.campaignId(), w.r.stepId(), w.r.dedupeKey(), rendered.subject(),
                    rendered.text(), html, links, attributes), MessageStatus.QUEUED, null, null));
        }
        MessageStore.Inserted inserted = store.insertAll(pending, guardErasure);
        List<MessageStore.Row> rows = inserted.rows();
        List<MessageStore.Row> toQueue = new ArrayList<>();
        for (int i = 0; i < fresh.size(); i++) {
            if (rows.get(i) == null) {
                Work w = fresh.get(i);
                w.error = ApiException.notFound("no profile " + w.profileId + ": it was erased, or merged into another, while the "
                        + "message was prepared; nothing was recorded or sent");
                continue;
            }
            fresh.get(i).row = rows.get(i);
            if (rows.get(i).id().equals(pending.get(i).message().id()) && "queued".equals(rows.get(i).status())) {
                toQueue.add(rows.get(i));
            }
        }
        if (!toQueue.isEmpty()) {
            try {
                // Under the lock of the enqueue row, so that the sweeper never queues them too; without the row (swept
                // already, after this node stalled for minutes) the sweeper has queued them.
                if (!store.whileEnqueuing(inserted.enqueue(), () -> queue(toQueue, enqueueKey(toQueue)))) {
                    log.warn("{} message(s) were queued by the sweeper before this node could queue them", toQueue.size());
                }
            } catch (JmsException e) {
                log.warn("{} message(s) could not be queued: {}", toQueue.size(), e.toString());
                ApiException unavailable = new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "unavailable",
                        "the outbound queue is unavailable; the message was not sent");
                for (Work w : fresh) {
                    if (toQueue.contains(w.row)) {
                        store.record(w.row.id(), "hub-" + w.row.id() + "-failed", MessageStatus.FAILED, FailureReason.UNAVAILABLE,
                                "the outbound queue is unavailable: " + e.getMessage(), null, Map.of());
                        w.error = unavailable;
                        w.row = null;
                    }
                }
            }
        }
        return work.stream().map(w -> new Result(w.row, w.error)).toList();
    }

    /**
     * The broker's duplicate-detection key of one enqueue (its ids, whoever sends them): the least
     * message id. Per channel, see {@link #queue}.
     */
    static String enqueueKey(java.util.Collection<MessageStore.Row> rows) {
        return rows.stream().map(MessageStore.Row::id).min(String::compareTo).map(id -> "atrium-enqueue-" + id).orElse(null);
    }

    /**
     * Whether a broker exception says the transaction was dropped because its duplicate-detection key
     * was seen before: its messages are on the queue already.
     */
    static boolean duplicate(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getClass().getSimpleName().equals("ActiveMQDuplicateIdException")
                    || t.getMessage() != null && t.getMessage().contains("Duplicate message detected")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Puts the ids on their channels' outbound queues in one broker transaction of its own, committed
     * here even when the caller is inside a database transaction (a campaign worker's batch): the
     * messages are in PostgreSQL already, and their ids must be on the queue before the journeys that
     * sent them are written back. The first message of each channel carries the duplicate-detection
     * key {@code key + "-" + channel} ({@code _AMQ_DUPL_ID}, when not null): the broker drops a second
     * transaction with the same key, which is what makes the sweeper's re-queue of ids that did reach
     * the queue a no-op.
     */
    void queue(List<MessageStore.Row> rows, String key) {
        jakarta.jms.ConnectionFactory cf = jms.getConnectionFactory();
        // Not through JmsTemplate: inside a database transaction it would tie the session to that transaction.
        try (jakarta.jms.Connection connection = cf.createConnection();
             jakarta.jms.Session session = connection.createSession(true, jakarta.jms.Session.SESSION_TRANSACTED)) {
            Map<String, jakarta.jms.MessageProducer> producers = new HashMap<>();
            try {
                for (MessageStore.Row row : rows) {
                    jakarta.jms.MessageProducer producer = producers.get(row.channel());
                    if (producer == null) {
                        producer = session.createProducer(session.createQueue(Queues.outbound(row.channel())));
                        producer.setDeliveryMode(jakarta.jms.DeliveryMode.PERSISTENT);
                        producers.put(row.channel(), producer);
                        jakarta.jms.TextMessage first = session.createTextMessage(row.id());
                        if (key != null) {
                            first.setStringProperty("_AMQ_DUPL_ID", key + "-" + row.channel());
                        }
                        producer.send(first);
                        continue;
                    }
                    producer.send(session.createTextMessage(row.id()));
                }
                session.commit();
            } catch (jakarta.jms.JMSException | RuntimeException e) {
                try {
                    session.rollback();
                } catch (jakarta.jms.JMSException ignored) {
                    // the session is gone with the connection; nothing was committed
                }
                throw e;
            } finally {
                for (jakarta.jms.MessageProducer p : producers.values()) {
                    p.close();
                }
            }
        } catch (jakarta.jms.JMSException e) {
            throw org.springframework.jms.support.JmsUtils.convertJmsAccessException(e);
        }
        log.debug("Queued {} message(s)", rows.size());
    }

    private void check(Work w, Map<String, Templates.MessageTemplate> templateCache) {
        SendRequest r = w.r;
        if (r.channel() == null) {
            throw bad("channel", "required: the channel to send on (" + String.join(", ", channels.channels().keySet()) + ")");
        }
        w.channel = channels.channel(r.channel()).orElseThrow(() -> new ApiException(
                HttpStatus.UNPROCESSABLE_ENTITY, "unknown_channel", Map.of("field", "channel", "message",
                "no started plugin provides channel '" + r.channel() + "'; channels now: " + channels.channels().keySet())));
        w.purpose = r.purpose() == null ? OutboundMessage.MARKETING : r.purpose();
        if (!w.purpose.equals(OutboundMessage.MARKETING) && !w.purpose.equals(OutboundMessage.TRANSACTIONAL)) {
            throw bad("purpose", "must be marketing or transactional, got '" + w.purpose + "'");
        }
        if (r.templateId() != null) {
            w.template = templateCache.computeIfAbsent(r.templateId(), templates::get);
            if (!w.template.channel().equals(r.channel())) {
                throw bad("template", "template '" + w.template.id() + "' is for channel '" + w.template.channel()
                        + "', not '" + r.channel() + "'");
            }
        } else if (r.text() == null || r.text().isBlank()) {
            throw bad("template", "give a template id, or the message's text");
        }
        w.profileId = profile(r);
    }

    private long profile(SendRequest r) {
        if (r.profileId() != null) {
            return r.profileId();
        }
        if (r.idType() == null || r.idValue() == null) {
            throw bad("profile", "required: {\"id\": <profile id>} or {\"idType\": \"email\", \"idValue\": \"...\"}");
        }
        return profiles.resolve(r.idType(), r.idValue());
    }

    /** What a template can use: the person's traits and identities, the message, and what the sender gave. */
    public Map<String, Object> model(long profileId, String messageId, String unsubscribeUrl, SendRequest r) {
        Map<String, Object> traits = new LinkedHashMap<>();
        jdbc.query("SELECT name, value::text FROM traits WHERE profile_id = ?", rs -> {
            try {
                traits.put(rs.getString(1), mapper.readValue(rs.getString(2), Object.class));
            } catch (Exception e) {
                traits.put(rs.getString(1), rs.getString(2));
            }
        }, profileId);
        Map<String, Object> identities = new LinkedHashMap<>();
        jdbc.query("SELECT type, value FROM identities WHERE profile_id = ? ORDER BY first_seen, id", rs -> {
            identities.put(rs.getString(1), rs.getString(2));
        }, profileId);
        return model(profileId, messageId, unsubscribeUrl, r, traits, identities);
    }

    private static Map<String, Object> model(long profileId, String messageId, String unsubscribeUrl, SendRequest r,
                                             Map<String, Object> traits, Map<String, Object> identities) {
        Map<String, Object> model = new LinkedHashMap<>();
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
    String track(String html, String id, List<String> links, String base) {
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
