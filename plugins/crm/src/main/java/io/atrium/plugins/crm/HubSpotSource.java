package io.atrium.plugins.crm;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads HubSpot: changed objects by the search API (filtered and sorted by their last-modified
 * property, paged with {@code after}), objects by id by batch read (for webhooks), and for deals and
 * activities their contacts (v4 associations) with those contacts' e-mail addresses.
 */
final class HubSpotSource implements CrmSource {

    /** HubSpot's search gives at most 10,000 results per query. */
    static final int SEARCH_RESULT_LIMIT = 10_000;

    private final HubSpotApi api;
    private final HubSpotRecords records;
    private final int maxResults;

    HubSpotSource(HubSpotApi api, HubSpotRecords records) {
        this(api, records, SEARCH_RESULT_LIMIT);
    }

    HubSpotSource(HubSpotApi api, HubSpotRecords records, int maxResults) {
        this.api = api;
        this.records = records;
        this.maxResults = maxResults;
    }

    @Override
    public Page changes(ObjectType type, long fromMs, long untilMs, String after) throws ApiException {
        JsonNode answer = api.searchChanges(type, fromMs, untilMs, records.properties(type), after);
        List<SyncRecord> page = new ArrayList<>();
        for (JsonNode o : answer.path("results")) {
            page.add(records.record(type, o));
        }
        return new Page(withContacts(type, page), Json.text(answer.path("paging").path("next"), "after"));
    }

    @Override
    public boolean sortedByChange() {
        return true;
    }

    @Override
    public int maxResultsPerQuery() {
        return maxResults;
    }

    /** The objects with these ids, as they are now, with their contacts. */
    List<SyncRecord> read(ObjectType type, Collection<String> ids) throws ApiException {
        List<SyncRecord> out = new ArrayList<>();
        for (JsonNode o : api.batchRead(type, ids, records.properties(type))) {
            out.add(records.record(type, o));
        }
        return withContacts(type, out);
    }

    /** Deals and activities get their associated contacts (id and e-mail); contacts are returned as they are. */
    private List<SyncRecord> withContacts(ObjectType type, List<SyncRecord> page) throws ApiException {
        if (type == ObjectType.CONTACTS || page.isEmpty()) {
            return page;
        }
        List<String> ids = page.stream().map(SyncRecord::id).filter(java.util.Objects::nonNull).toList();
        Map<String, List<String>> assoc = api.associatedContacts(type, ids);
        Set<String> contactIds = new LinkedHashSet<>();
        assoc.values().forEach(contactIds::addAll);
        Map<String, String> emails = contactIds.isEmpty() ? Map.of() : api.contactEmails(contactIds);
        List<SyncRecord> out = new ArrayList<>();
        for (SyncRecord r : page) {
            List<SyncRecord.ContactRef> refs = new ArrayList<>();
            for (String c : assoc.getOrDefault(r.id(), List.of())) {
                refs.add(new SyncRecord.ContactRef(c, emails.get(c)));
            }
            if (r instanceof SyncRecord.Deal d) {
                out.add(d.withContacts(refs));
            } else if (r instanceof SyncRecord.Activity a) {
                out.add(a.withContacts(refs));
            } else {
                out.add(r);
            }
        }
        return out;
    }
}
