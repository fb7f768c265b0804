package io.atrium.plugins.crm;

import java.util.List;

/** Where records come from: HubSpot's API, or a generic CRM's. */
interface CrmSource {

    /** One page of changed records and the token of the next page (null: the last one). */
    record Page(List<SyncRecord> records, String next) {
    }

    /**
     * The records of {@code type} changed in {@code [fromMs, untilMs]}, with their contacts.
     *
     * @param after the previous page's {@link Page#next()}, or null for the first page
     */
    Page changes(ObjectType type, long fromMs, long untilMs, String after) throws ApiException;

    /**
     * True when {@link #changes} returns the oldest change first, so the cursor may move on after every
     * page; otherwise only after the last page.
     */
    boolean sortedByChange();

    /**
     * The most records one query can page through (HubSpot's search stops at 10,000); past it the
     * query starts again from the cursor.
     */
    int maxResultsPerQuery();
}
