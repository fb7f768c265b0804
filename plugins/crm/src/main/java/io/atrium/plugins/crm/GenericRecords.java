package io.atrium.plugins.crm;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads a generic CRM's JSON records with the configured field mapping (name = JSON pointer into
 * the record). Contacts: {@code id}, {@code updated_at} (ISO-8601 or epoch milliseconds),
 * {@code created_at}, {@code email} and {@code phone} are read as such, every other name is a trait.
 * Deals: {@code id}, {@code updated_at}, {@code created_at}, {@code stage}, {@code contact_id},
 * {@code contact_email}; every other name is an event property of that name.
 */
final class GenericRecords {

    private final Map<String, JsonPointer> contactFields;
    private final Map<String, JsonPointer> dealFields;

    GenericRecords(Map<String, JsonPointer> contactFields, Map<String, JsonPointer> dealFields) {
        this.contactFields = contactFields;
        this.dealFields = dealFields;
    }

    SyncRecord record(ObjectType type, JsonNode r) {
        return type == ObjectType.CONTACTS ? contact(r) : deal(r);
    }

    SyncRecord.Contact contact(JsonNode r) {
        Map<String, Object> traits = new LinkedHashMap<>();
        String email = null;
        String phone = null;
        for (Map.Entry<String, JsonPointer> f : contactFields.entrySet()) {
            JsonNode v = r.at(f.getValue());
            switch (f.getKey()) {
                case "id", "updated_at", "created_at" -> {
                }
                case "email" -> email = Identities.email(Json.text(v));
                case "phone" -> {
                    String raw = Json.text(v);
                    phone = Identities.e164(raw);
                    if (raw != null) {
                        traits.put("phone", phone != null ? phone : raw.strip());
                    }
                }
                default -> {
                    Object value = value(v);
                    if (value != null) {
                        traits.put(f.getKey(), value);
                    }
                }
            }
        }
        if (email != null) {
            traits.put("email", email);
        }
        return new SyncRecord.Contact(text(r, contactFields, "id"), instant(r, contactFields, "updated_at"),
                instant(r, contactFields, "created_at"), email, phone, traits);
    }

    SyncRecord.Deal deal(JsonNode r) {
        Map<String, Object> props = new LinkedHashMap<>();
        String id = text(r, dealFields, "id");
        props.put("deal_id", id);
        for (Map.Entry<String, JsonPointer> f : dealFields.entrySet()) {
            switch (f.getKey()) {
                case "id", "updated_at", "created_at", "stage", "contact_id", "contact_email" -> {
                }
                default -> {
                    Object value = value(r.at(f.getValue()));
                    if (value != null) {
                        props.put(f.getKey(), value);
                    }
                }
            }
        }
        List<SyncRecord.ContactRef> contacts = new ArrayList<>();
        String contactId = text(r, dealFields, "contact_id");
        String contactEmail = Identities.email(text(r, dealFields, "contact_email"));
        if (contactId != null) {
            contacts.add(new SyncRecord.ContactRef(contactId, contactEmail));
        } else if (contactEmail != null) {
            contacts.add(new SyncRecord.ContactRef(null, contactEmail));
        }
        return new SyncRecord.Deal(id, instant(r, dealFields, "updated_at"), instant(r, dealFields, "created_at"),
                text(r, dealFields, "stage"), props, contacts);
    }

    /** The records of an answer: the array at {@code pointer}, the answer itself if it is an array, or one record. */
    static List<JsonNode> records(JsonNode answer, JsonPointer pointer) {
        JsonNode n = pointer == null || pointer.matches() ? answer : answer.at(pointer);
        List<JsonNode> out = new ArrayList<>();
        if (n != null && n.isArray()) {
            n.forEach(out::add);
        } else if (answer.isArray()) {
            answer.forEach(out::add);
        } else if (n != null && n.isObject()) {
            out.add(n);
        }
        return out;
    }

    private static String text(JsonNode r, Map<String, JsonPointer> fields, String name) {
        JsonPointer p = fields.get(name);
        return p == null ? null : Json.text(r.at(p));
    }

    private static Instant instant(JsonNode r, Map<String, JsonPointer> fields, String name) {
        JsonPointer p = fields.get(name);
        return p == null ? null : Json.instant(r.at(p));
    }

    /** Text, numbers (exact) and booleans as they are; objects and arrays as maps and lists; null for nothing. */
    private static Object value(JsonNode v) {
        if (v == null || v.isMissingNode() || v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            return v.asText().isBlank() ? null : v.asText();
        }
        if (v.isNumber()) {
            return v.numberValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        return Json.MAPPER.convertValue(v, Object.class);
    }
}
