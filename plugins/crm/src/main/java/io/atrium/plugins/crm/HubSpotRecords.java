package io.atrium.plugins.crm;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads HubSpot's CRM objects ({@code {"id", "properties": {...}, "createdAt", "updatedAt",
 * "archived"}}, as search, batch read and single reads return them) into {@link SyncRecord}s.
 * HubSpot gives every property value as text (or null when unset).
 */
final class HubSpotRecords {

    /** At most this much of a note's or call's body goes into an event property. */
    static final int MAX_BODY = 1000;

    private final Map<String, String> contactTraits;

    /** @param contactTraits HubSpot contact property to trait name */
    HubSpotRecords(Map<String, String> contactTraits) {
        this.contactTraits = contactTraits;
    }

    /** The properties to read for {@code type}: its own and, for contacts, the mapped ones. */
    List<String> properties(ObjectType type) {
        Set<String> p = new LinkedHashSet<>(type.properties());
        if (type == ObjectType.CONTACTS) {
            p.addAll(contactTraits.keySet());
        }
        return List.copyOf(p);
    }

    /** The object's last change: its modified property, else {@code updatedAt}. */
    static Instant modified(ObjectType type, JsonNode object) {
        Instant m = Json.instant(object.path("properties").get(type.modifiedProperty()));
        return m != null ? m : Json.instant(object.get("updatedAt"));
    }

    SyncRecord record(ObjectType type, JsonNode object) {
        return switch (type) {
            case CONTACTS -> contact(object);
            case DEALS -> deal(object);
            default -> activity(type, object);
        };
    }

    SyncRecord.Contact contact(JsonNode object) {
        JsonNode p = object.path("properties");
        String email = Identities.email(Json.text(p, "email"));
        String rawPhone = Json.text(p, "phone");
        if (rawPhone == null) {
            rawPhone = Json.text(p, "mobilephone");
        }
        String phone = Identities.e164(rawPhone);
        Map<String, Object> traits = new LinkedHashMap<>();
        contactTraits.forEach((property, trait) -> {
            String v = Json.text(p, property);
            if (v != null) {
                traits.put(trait, v);
            }
        });
        if (email != null) {
            traits.put("email", email);
        }
        if (rawPhone != null) {
            traits.put("phone", phone != null ? phone : rawPhone.strip());
        }
        return new SyncRecord.Contact(Json.text(object, "id"), modified(ObjectType.CONTACTS, object),
                created(object, p, "createdate"), email, phone, traits);
    }

    static SyncRecord.Deal deal(JsonNode object) {
        JsonNode p = object.path("properties");
        Map<String, Object> props = new LinkedHashMap<>();
        String id = Json.text(object, "id");
        props.put("deal_id", id);
        put(props, "deal_name", Json.text(p, "dealname"));
        BigDecimal amount = Json.decimal(p.get("amount"));
        if (amount != null) {
            props.put("amount", amount);
        }
        put(props, "currency", Json.text(p, "deal_currency_code"));
        put(props, "pipeline", Json.text(p, "pipeline"));
        Instant close = Json.instant(p.get("closedate"));
        if (close != null) {
            props.put("close_date", close.toString());
        }
        put(props, "owner_id", Json.text(p, "hubspot_owner_id"));
        return new SyncRecord.Deal(id, modified(ObjectType.DEALS, object), created(object, p, "createdate"),
                Json.text(p, "dealstage"), props, List.of());
    }

    static SyncRecord.Activity activity(ObjectType type, JsonNode object) {
        JsonNode p = object.path("properties");
        Map<String, Object> props = new LinkedHashMap<>();
        String id = Json.text(object, "id");
        props.put("activity_id", id);
        props.put("activity_type", type.singular());
        switch (type) {
            case CALLS -> {
                put(props, "title", Json.text(p, "hs_call_title"));
                put(props, "body", body(Json.text(p, "hs_call_body")));
                put(props, "direction", Json.text(p, "hs_call_direction"));
                put(props, "status", Json.text(p, "hs_call_status"));
                BigDecimal ms = Json.decimal(p.get("hs_call_duration"));
                if (ms != null) {
                    props.put("duration_ms", ms);
                }
                put(props, "disposition", Json.text(p, "hs_call_disposition"));
            }
            case MEETINGS -> {
                put(props, "title", Json.text(p, "hs_meeting_title"));
                put(props, "body", body(Json.text(p, "hs_meeting_body")));
                put(props, "outcome", Json.text(p, "hs_meeting_outcome"));
                Instant startTime = Json.instant(p.get("hs_meeting_start_time"));
                Instant end = Json.instant(p.get("hs_meeting_end_time"));
                put(props, "start_time", startTime == null ? null : startTime.toString());
                put(props, "end_time", end == null ? null : end.toString());
            }
            default -> put(props, "body", body(Json.text(p, "hs_note_body")));
        }
        put(props, "owner_id", Json.text(p, "hubspot_owner_id"));
        Instant occurred = Json.instant(p.get("hs_timestamp"));
        if (occurred == null) {
            occurred = created(object, p, "hs_createdate");
        }
        return new SyncRecord.Activity(type, id, modified(type, object), occurred, props, List.of());
    }

    /** The ids of the objects in HubSpot's {@code results} array. */
    static List<String> ids(JsonNode results) {
        List<String> ids = new ArrayList<>();
        for (JsonNode r : results) {
            String id = Json.text(r, "id");
            if (id != null) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** HTML tags and runs of white space out, cut to {@link #MAX_BODY} characters. */
    static String body(String html) {
        if (html == null) {
            return null;
        }
        String t = html.replaceAll("<[^>]*>", " ").replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<")
                .replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'");
        t = t.replaceAll("\\s+", " ").strip();
        if (t.isEmpty()) {
            return null;
        }
        return t.length() <= MAX_BODY ? t : t.substring(0, MAX_BODY) + "...";
    }

    private static Instant created(JsonNode object, JsonNode p, String property) {
        Instant c = Json.instant(p.get(property));
        return c != null ? c : Json.instant(object.get("createdAt"));
    }

    private static void put(Map<String, Object> props, String key, String value) {
        if (value != null) {
            props.put(key, value);
        }
    }
}
