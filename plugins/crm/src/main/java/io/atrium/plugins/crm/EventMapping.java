package io.atrium.plugins.crm;

import java.util.ArrayList;
import java.util.List;

import io.atrium.plugin.api.Event;

/**
 * How CRM records become the hub's events:
 *
 * <ul>
 * <li>a contact: an {@code identify} with identities {@code crm_id} (the CRM's id), {@code email},
 *     {@code phone} (E.164) and the mapped traits;</li>
 * <li>a deal: a {@code track} event ({@code deal_created}, {@code deal_stage_changed} or
 *     {@code deal_updated}, as {@link SyncProcessor} decides) for each contact it is associated with,
 *     named by that contact's {@code crm_id} and {@code email};</li>
 * <li>a call, meeting or note: {@code call_logged}, {@code meeting_logged}, {@code note_logged} for
 *     each associated contact.</li>
 * </ul>
 *
 * Every messageId is made of the CRM, the object, its id and its last change (and the contact for
 * deals and activities), so the same version of an object handed to the hub twice (by a poll and
 * a webhook, or after a restart) is stored once, and every new version once more.
 */
final class EventMapping {

    static final String DEAL_CREATED = "deal_created";
    static final String DEAL_STAGE_CHANGED = "deal_stage_changed";
    static final String DEAL_UPDATED = "deal_updated";

    private final String crm;

    /** @param crm {@code hubspot} or {@code generic}: part of every messageId and the {@code crm} property */
    EventMapping(String crm) {
        this.crm = crm;
    }

    Event identify(SyncRecord.Contact c) {
        Event.Builder b = Event.identify()
                .messageId(messageId("contact", c.id(), c.modified().toEpochMilli(), null))
                .timestamp(c.modified())
                .identity(Identities.CRM_ID, c.id())
                .traits(c.traits())
                .context("crm", crm);
        if (c.email() != null) {
            b.identity(Identities.EMAIL, c.email());
        }
        if (c.phone() != null) {
            b.identity(Identities.PHONE, c.phone());
        }
        return b.build();
    }

    /**
     * @param previousStage the stage before, for {@code deal_stage_changed} when known; else null
     */
    List<Event> deal(SyncRecord.Deal d, String name, String previousStage) {
        List<Event> events = new ArrayList<>();
        for (SyncRecord.ContactRef contact : d.contacts()) {
            Event.Builder b = Event.track(name)
                    .messageId(messageId("deal", d.id(), d.modified().toEpochMilli(), key(contact)))
                    .timestamp(name.equals(DEAL_CREATED) && d.created() != null ? d.created() : d.modified())
                    .properties(d.properties())
                    .property("crm", crm);
            if (d.stage() != null) {
                b.property("stage", d.stage());
            }
            if (previousStage != null) {
                b.property("previous_stage", previousStage);
            }
            events.add(person(b, contact).build());
        }
        return events;
    }

    List<Event> activity(SyncRecord.Activity a) {
        List<Event> events = new ArrayList<>();
        for (SyncRecord.ContactRef contact : a.contacts()) {
            Event.Builder b = Event.track(a.type().singular() + "_logged")
                    .messageId(messageId(a.type().singular(), a.id(), a.modified().toEpochMilli(), key(contact)))
                    .timestamp(a.occurred() != null ? a.occurred() : a.modified())
                    .properties(a.properties())
                    .property("crm", crm);
            events.add(person(b, contact).build());
        }
        return events;
    }

    /** The identify that ties a profile to the CRM contact the plugin found or created for it. */
    Event link(String profileId, String contactId, String email) {
        return Event.identify()
                .messageId("crm:" + crm + ":link:" + profileId + ":" + contactId)
                .identity(Identities.CRM_ID, contactId)
                .identity(Identities.EMAIL, email)
                .context("crm", crm)
                .build();
    }

    private static Event.Builder person(Event.Builder b, SyncRecord.ContactRef contact) {
        if (contact.id() != null) {
            b.identity(Identities.CRM_ID, contact.id());
        }
        if (contact.email() != null) {
            b.identity(Identities.EMAIL, contact.email());
        }
        return b;
    }

    /** The contact's part of a messageId: its CRM id, else its e-mail address. */
    private static String key(SyncRecord.ContactRef contact) {
        return contact.id() != null ? contact.id() : contact.email();
    }

    String messageId(String object, String id, long modifiedMs, String contactId) {
        return "crm:" + crm + ":" + object + ":" + id + ":" + modifiedMs + (contactId == null ? "" : ":" + contactId);
    }
}
