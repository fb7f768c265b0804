package io.atrium.plugins.crm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.atrium.plugin.api.EventRejectedException;
import io.atrium.plugin.api.EventSink;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segment membership in HubSpot. For a segment named in {@code segment-push}, an entry sets the
 * rules' contact properties ({@code PATCH /crm/v3/objects/contacts/<id>}) and adds the contact to
 * their lists ({@code PUT /crm/v3/lists/<id>/memberships/add}); an exit clears those properties and
 * removes it from those lists.
 *
 * <p>The contact is the person's {@code crm_id}. A person without one (or whose {@code crm_id} HubSpot
 * no longer has) is looked up by e-mail address (search, {@code email EQ}); one who is not found and
 * enters is created with the address (and the properties set at once) unless
 * {@code segment-create-contacts} is false. A contact found or created that way is handed back to the
 * hub as an identify with {@code crm_id} and {@code email}, so the profile has its {@code crm_id} next time.
 *
 * <p>Every call sets a state (a property value, a membership), so doing one again is harmless: when
 * HubSpot cannot be reached, answers 429 or 5xx (or 401/403, until the token is fixed) the segment event
 * is delivered again later. A refusal that cannot pass later (400: no such property; 404: no such list)
 * is logged naming the rule and the event is dropped.
 */
final class HubSpotSegmentPush implements SegmentPush {

    private static final Logger LOG = LoggerFactory.getLogger(HubSpotSegmentPush.class);

    private final HubSpotApi api;
    private final List<SegmentRule> rules;
    private final boolean createContacts;
    private final EventSink events;
    private final EventMapping mapping;

    HubSpotSegmentPush(HubSpotApi api, List<SegmentRule> rules, boolean createContacts, EventSink events,
                       EventMapping mapping) {
        this.api = api;
        this.rules = List.copyOf(rules);
        this.createContacts = createContacts;
        this.events = events;
        this.mapping = mapping;
    }

    @Override
    public Outcome push(SegmentEvent e) {
        List<SegmentRule> mine = rules.stream().filter(r -> r.segmentId() == e.segmentId()).toList();
        if (mine.isEmpty()) {
            return Outcome.IGNORED;
        }
        String what = "segment " + e.segmentId() + " " + e.type() + " by profile " + e.profileId();
        try {
            return apply(e, mine, what);
        } catch (RuleFailure f) {
            ApiException ex = f.cause;
            if (retryable(ex)) {
                throw new RetryLater("crm: " + what + ": " + ex.getMessage() + "; delivered again later", ex);
            }
            LOG.error("crm: {}: rule '{}={}' of key '{}' failed for good: {}", what, f.rule.segmentId(), f.rule.target(),
                    CrmConfig.SEGMENT_PUSH, ex.getMessage());
            return Outcome.FAILED;
        } catch (ApiException ex) {
            if (retryable(ex)) {
                throw new RetryLater("crm: " + what + ": " + ex.getMessage() + "; delivered again later", ex);
            }
            LOG.error("crm: {} failed for good: {}", what, ex.getMessage());
            return Outcome.FAILED;
        }
    }

    private Outcome apply(SegmentEvent e, List<SegmentRule> mine, String what) throws ApiException, RuleFailure {
        Map<String, String> properties = new LinkedHashMap<>();
        for (SegmentRule r : mine) {
            if (r.kind() == SegmentRule.Kind.PROPERTY) {
                properties.put(r.property(), e.entered() ? r.value() : "");
            }
        }
        String email = e.email();
        String crmId = e.crmId();
        if (crmId != null) {
            if (change(crmId, e.entered(), properties, mine)) {
                return Outcome.DONE;
            }
            if (email == null) {
                LOG.warn("crm: {}: HubSpot has no contact {} (the person's crm_id) and the person has no e-mail address;"
                        + " nothing changed", what, crmId);
                return Outcome.SKIPPED;
            }
            LOG.info("crm: {}: HubSpot has no contact {} (the person's crm_id); looking the person up by e-mail", what,
                    crmId);
        }
        if (email == null) {
            LOG.info("crm: {}: the person has neither a crm_id nor an e-mail address; nothing changed in HubSpot", what);
            return Outcome.SKIPPED;
        }
        Optional<String> found = api.findContactByEmail(email);
        String id;
        Map<String, String> still = properties;
        if (found.isPresent()) {
            id = found.get();
        } else if (!e.entered()) {
            LOG.debug("crm: {}: no HubSpot contact has the person's e-mail address; nothing to undo", what);
            return Outcome.SKIPPED;
        } else if (!createContacts) {
            LOG.info("crm: {}: no HubSpot contact has the person's e-mail address and {} is false; nothing changed",
                    what, CrmConfig.SEGMENT_CREATE);
            return Outcome.SKIPPED;
        } else {
            Map<String, String> initial = new LinkedHashMap<>();
            initial.put("email", email);
            String phone = Identities.e164(e.identities().get(Identities.PHONE));
            if (phone != null) {
                initial.put("phone", phone);
            }
            initial.putAll(properties);
            HubSpotApi.Created created = api.createContact(initial);
            id = created.id();
            // Created with the properties already set; an existing contact (409) still needs them.
            still = created.existed() ? properties : Map.of();
            LOG.info("crm: {}: {} HubSpot contact {}", what, created.existed() ? "found" : "created", id);
        }
        link(e, id, email);
        if (!change(id, e.entered(), still, mine)) {
            LOG.warn("crm: {}: HubSpot contact {} disappeared while it was being changed", what, id);
            return Outcome.SKIPPED;
        }
        return Outcome.DONE;
    }

    /**
     * Sets the properties and the list memberships of contact {@code id}.
     *
     * @return false when HubSpot has no such contact
     */
    private boolean change(String id, boolean entered, Map<String, String> properties, List<SegmentRule> mine)
            throws RuleFailure {
        if (!properties.isEmpty()) {
            try {
                api.updateContact(id, properties);
            } catch (ApiException ex) {
                if (ex.kind() == ApiException.Kind.HTTP && ex.status() == 404) {
                    return false;
                }
                throw new RuleFailure(mine.stream().filter(r -> r.kind() == SegmentRule.Kind.PROPERTY).findFirst()
                        .orElseThrow(), ex);
            }
        }
        for (SegmentRule r : mine) {
            if (r.kind() != SegmentRule.Kind.LIST) {
                continue;
            }
            try {
                List<String> missing = api.changeListMembership(r.listId(), entered, List.of(id));
                if (missing.contains(id)) {
                    return false;
                }
            } catch (ApiException ex) {
                throw new RuleFailure(r, ex);
            }
        }
        return true;
    }

    private void link(SegmentEvent e, String contactId, String email) {
        try {
            events.submit(mapping.link(e.profileId() != null ? e.profileId() : email, contactId, email));
        } catch (EventRejectedException ex) {
            if (ex.isTransient()) {
                throw new RetryLater("crm: the hub did not take the crm_id of contact " + contactId + " ("
                        + ex.getMessage() + "); delivered again later", ex);
            }
            LOG.error("crm: the hub refused the crm_id of contact {} for good: {}", contactId, ex.getMessage());
        }
    }

    /** Worth another try later: no answer, not reached, 429, 5xx, and 401/403 (a token that is being fixed). */
    static boolean retryable(ApiException ex) {
        return ex.isTransient() || ex.kind() == ApiException.Kind.NO_ANSWER || ex.kind() == ApiException.Kind.BAD_ANSWER
                || ex.status() == 401 || ex.status() == 403;
    }

    /** A call of one rule failed. */
    private static final class RuleFailure extends Exception {
        final SegmentRule rule;
        final ApiException cause;

        RuleFailure(SegmentRule rule, ApiException cause) {
            super(cause.getMessage(), cause, false, false);
            this.rule = rule;
            this.cause = cause;
        }
    }
}
