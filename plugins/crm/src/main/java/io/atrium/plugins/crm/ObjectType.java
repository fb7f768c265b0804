package io.atrium.plugins.crm;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The CRM objects the plugin reads: HubSpot's object name (the path segment of
 * {@code /crm/v3/objects/<name>}), its object type id (as webhooks of the generic
 * {@code object.*} kind name it), the property its changes are searched by, and the properties
 * read for each object.
 */
enum ObjectType {
    CONTACTS("contacts", "contact", "0-1", "lastmodifieddate",
            List.of("email", "phone", "mobilephone", "createdate", "lastmodifieddate")),
    DEALS("deals", "deal", "0-3", "hs_lastmodifieddate",
            List.of("dealname", "amount", "deal_currency_code", "dealstage", "pipeline", "closedate", "hubspot_owner_id",
                    "createdate", "hs_lastmodifieddate")),
    CALLS("calls", "call", "0-48", "hs_lastmodifieddate",
            List.of("hs_call_title", "hs_call_body", "hs_call_direction", "hs_call_status", "hs_call_duration",
                    "hs_call_disposition", "hs_timestamp", "hubspot_owner_id", "hs_createdate", "hs_lastmodifieddate")),
    MEETINGS("meetings", "meeting", "0-47", "hs_lastmodifieddate",
            List.of("hs_meeting_title", "hs_meeting_body", "hs_meeting_outcome", "hs_meeting_start_time",
                    "hs_meeting_end_time", "hs_timestamp", "hubspot_owner_id", "hs_createdate", "hs_lastmodifieddate")),
    NOTES("notes", "note", "0-46", "hs_lastmodifieddate",
            List.of("hs_note_body", "hs_timestamp", "hubspot_owner_id", "hs_createdate", "hs_lastmodifieddate"));

    private final String plural;
    private final String singular;
    private final String objectTypeId;
    private final String modifiedProperty;
    private final List<String> properties;

    ObjectType(String plural, String singular, String objectTypeId, String modifiedProperty, List<String> properties) {
        this.plural = plural;
        this.singular = singular;
        this.objectTypeId = objectTypeId;
        this.modifiedProperty = modifiedProperty;
        this.properties = properties;
    }

    /** {@code contacts}, {@code deals}, ...: the config value and HubSpot's path segment. */
    String plural() {
        return plural;
    }

    /** {@code contact}, {@code deal}, ...: the prefix of HubSpot's webhook subscription types. */
    String singular() {
        return singular;
    }

    String objectTypeId() {
        return objectTypeId;
    }

    /** The property whose value is the object's last change: what polling filters and sorts by. */
    String modifiedProperty() {
        return modifiedProperty;
    }

    /** The HubSpot properties read for this object (contacts add the configured trait properties). */
    List<String> properties() {
        return properties;
    }

    boolean isActivity() {
        return this == CALLS || this == MEETINGS || this == NOTES;
    }

    static Optional<ObjectType> byPlural(String name) {
        String n = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        for (ObjectType t : values()) {
            if (t.plural.equals(n)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** The type a webhook names by its subscription type's prefix ({@code contact.creation}). */
    static Optional<ObjectType> bySingular(String name) {
        for (ObjectType t : values()) {
            if (t.singular.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** The type a generic {@code object.*} webhook names by {@code objectTypeId} ({@code 0-3}). */
    static Optional<ObjectType> byObjectTypeId(String id) {
        for (ObjectType t : values()) {
            if (t.objectTypeId.equals(id)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
