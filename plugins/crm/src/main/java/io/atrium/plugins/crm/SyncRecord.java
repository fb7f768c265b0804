package io.atrium.plugins.crm;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CRM object read for the hub, in the plugin's own terms whatever the CRM (HubSpot's JSON and
 * the generic mode's field mapping both come to this). {@link #modified()} is the object's last
 * change: what the polling cursor follows and, with the id, what makes its events' messageIds.
 */
sealed interface SyncRecord permits SyncRecord.Contact, SyncRecord.Deal, SyncRecord.Activity {

    String id();

    Instant modified();

    ObjectType type();

    /** A contact a deal or an activity is associated with; {@code email} may be null. */
    record ContactRef(String id, String email) {
    }

    /**
     * @param email  lower-case, or null
     * @param phone  E.164, or null (a number that is not E.164 is in traits as {@code phone})
     * @param traits the mapped properties that have a value
     */
    record Contact(String id, Instant modified, Instant created, String email, String phone, Map<String, Object> traits)
            implements SyncRecord {
        public Contact {
            traits = Collections.unmodifiableMap(new LinkedHashMap<>(traits));
        }

        @Override
        public ObjectType type() {
            return ObjectType.CONTACTS;
        }
    }

    /**
     * @param stage      the deal stage (HubSpot's internal stage id), or null
     * @param properties the event properties besides the stage: deal_name, amount, currency, pipeline, ...
     */
    record Deal(String id, Instant modified, Instant created, String stage, Map<String, Object> properties,
                List<ContactRef> contacts) implements SyncRecord {
        public Deal {
            properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
            contacts = List.copyOf(contacts);
        }

        @Override
        public ObjectType type() {
            return ObjectType.DEALS;
        }

        Deal withContacts(List<ContactRef> refs) {
            return new Deal(id, modified, created, stage, properties, refs);
        }
    }

    /** A call, meeting or note; {@code occurred} is when it happened (hs_timestamp), else its creation. */
    record Activity(ObjectType type, String id, Instant modified, Instant occurred, Map<String, Object> properties,
                    List<ContactRef> contacts) implements SyncRecord {
        public Activity {
            properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
            contacts = List.copyOf(contacts);
        }

        Activity withContacts(List<ContactRef> refs) {
            return new Activity(type, id, modified, occurred, properties, refs);
        }
    }
}
