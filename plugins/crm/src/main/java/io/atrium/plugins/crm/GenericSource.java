package io.atrium.plugins.crm;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads a generic CRM: {@code GET generic-contacts-url} / {@code generic-deals-url} with
 * {@code {since}} (ISO-8601), {@code {since_ms}}, {@code {until}}, {@code {until_ms}} and
 * {@code {after}} (the previous page's token at {@code generic-next-pointer}) filled in, records at
 * {@code generic-results-pointer}. The order of the records is not assumed: the cursor moves on
 * after the last page of a poll.
 */
final class GenericSource implements CrmSource {

    private final ApiClient client;
    private final CrmSettings settings;
    private final GenericRecords records;

    GenericSource(ApiClient client, CrmSettings settings, GenericRecords records) {
        this.client = client;
        this.settings = settings;
        this.records = records;
    }

    @Override
    public Page changes(ObjectType type, long fromMs, long untilMs, String after) throws ApiException {
        CrmSettings.Generic g = settings.generic();
        UrlTemplate url = type == ObjectType.CONTACTS ? g.contactsUrl() : g.dealsUrl();
        var uri = url.expand(settings.apiUrl(), Map.of(
                "since", Instant.ofEpochMilli(fromMs).toString(), "since_ms", Long.toString(fromMs),
                "until", Instant.ofEpochMilli(untilMs).toString(), "until_ms", Long.toString(untilMs),
                "after", after == null ? "" : after));
        ApiClient.Answer a = client.send("GET", uri, null);
        if (a.json() == null) {
            throw new ApiException(ApiException.Kind.BAD_ANSWER, a.status(), null, null, "the CRM's answer to GET "
                    + uri.getRawPath() + " is not JSON: " + client.scrub(Json.abbreviate(a.text(), 200)), null);
        }
        List<SyncRecord> page = new ArrayList<>();
        for (JsonNode r : GenericRecords.records(a.json(), g.resultsPointer())) {
            page.add(records.record(type, r));
        }
        String next = g.nextPointer() == null || g.nextPointer().matches() ? null : Json.text(a.json().at(g.nextPointer()));
        return new Page(page, page.isEmpty() ? null : next);
    }

    @Override
    public boolean sortedByChange() {
        return false;
    }

    @Override
    public int maxResultsPerQuery() {
        return Integer.MAX_VALUE;
    }
}
