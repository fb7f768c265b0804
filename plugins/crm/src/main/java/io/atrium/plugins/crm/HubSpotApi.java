package io.atrium.plugins.crm;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The HubSpot CRM calls the plugin makes, as documented for the v3 object APIs (contacts, deals,
 * calls, meetings, notes, tasks: {@code /crm/v3/objects/<type>}, their {@code /search} and
 * {@code /batch/read}), the v3 lists memberships ({@code /crm/v3/lists/<id>/memberships/add|remove})
 * and the v4 associations batch read ({@code /crm/v4/associations/<from>/contacts/batch/read}).
 */
final class HubSpotApi {

    /** Records per search page (HubSpot allows up to 200). */
    static final int PAGE_SIZE = 100;
    /** Inputs per batch call (HubSpot's limit for batch read of objects). */
    static final int BATCH = 100;

    /** HubSpot-defined association type ids from an object to a contact, for creating a task. */
    static final int TASK_TO_CONTACT = 204;

    private static final Pattern EXISTING_ID = Pattern.compile("Existing ID: ?([0-9]+)");

    private final ApiClient client;

    HubSpotApi(ApiClient client) {
        this.client = client;
    }

    /** A cheap call that needs the contacts read scope: tells a wrong token (401) or missing scope (403) at start. */
    void checkAccess() throws ApiException {
        client.sendForJson("GET", client.uri("/crm/v3/objects/contacts?limit=1&archived=false"), null);
    }

    /**
     * One page of the objects of {@code type} changed in {@code [fromMs, untilMs]}, oldest change
     * first: {@code POST /crm/v3/objects/<type>/search}.
     *
     * @param after the previous page's {@code paging.next.after}, or null for the first page
     */
    JsonNode searchChanges(ObjectType type, long fromMs, long untilMs, List<String> properties, String after)
            throws ApiException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode filters = body.putArray("filterGroups").addObject().putArray("filters");
        filters.addObject().put("propertyName", type.modifiedProperty()).put("operator", "GTE").put("value",
                Long.toString(fromMs));
        filters.addObject().put("propertyName", type.modifiedProperty()).put("operator", "LTE").put("value",
                Long.toString(untilMs));
        body.putArray("sorts").addObject().put("propertyName", type.modifiedProperty()).put("direction", "ASCENDING");
        properties.forEach(body.putArray("properties")::add);
        body.put("limit", PAGE_SIZE);
        if (after != null) {
            body.put("after", after);
        }
        return client.sendForJson("POST", client.uri("/crm/v3/objects/" + type.plural() + "/search"), body);
    }

    /** The objects with these ids that exist (archived ones are left out): {@code POST .../batch/read}. */
    List<JsonNode> batchRead(ObjectType type, Collection<String> ids, List<String> properties) throws ApiException {
        List<JsonNode> out = new ArrayList<>();
        for (List<String> chunk : chunks(ids)) {
            ObjectNode body = Json.MAPPER.createObjectNode();
            properties.forEach(body.putArray("properties")::add);
            ArrayNode inputs = body.putArray("inputs");
            chunk.forEach(id -> inputs.addObject().put("id", id));
            // 200, or 207 with the ids not found under "errors": the found ones are in "results" either way.
            JsonNode answer = client.sendForJson("POST", client.uri("/crm/v3/objects/" + type.plural() + "/batch/read"),
                    body);
            answer.path("results").forEach(out::add);
        }
        return out;
    }

    /**
     * The contacts each object is associated with: {@code POST /crm/v4/associations/<type>/contacts/batch/read}.
     * An object without contacts is absent from the map.
     */
    Map<String, List<String>> associatedContacts(ObjectType type, Collection<String> ids) throws ApiException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (List<String> chunk : chunks(ids)) {
            ObjectNode body = Json.MAPPER.createObjectNode();
            ArrayNode inputs = body.putArray("inputs");
            chunk.forEach(id -> inputs.addObject().put("id", id));
            // 207 lists the objects that have none under "errors" (NO_ASSOCIATIONS_FOUND).
            JsonNode answer = client.sendForJson("POST",
                    client.uri("/crm/v4/associations/" + type.plural() + "/contacts/batch/read"), body);
            for (JsonNode r : answer.path("results")) {
                String from = Json.text(r.path("from"), "id");
                if (from == null) {
                    continue;
                }
                Collection<String> to = new LinkedHashSet<>();
                for (JsonNode t : r.path("to")) {
                    String id = Json.text(t.get("toObjectId"));
                    if (id != null) {
                        to.add(id);
                    }
                }
                if (!to.isEmpty()) {
                    out.computeIfAbsent(from, k -> new ArrayList<>()).addAll(to);
                }
            }
        }
        return out;
    }

    /** The e-mail addresses of these contacts, by id (contacts without one are absent). */
    Map<String, String> contactEmails(Collection<String> ids) throws ApiException {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode c : batchRead(ObjectType.CONTACTS, ids, List.of("email"))) {
            String email = Identities.email(Json.text(c.path("properties"), "email"));
            String id = Json.text(c, "id");
            if (id != null && email != null) {
                out.put(id, email);
            }
        }
        return out;
    }

    /** {@code GET /crm/v3/objects/contacts/<id>}: throws HTTP 404 when there is no such contact. */
    JsonNode contact(String id) throws ApiException {
        return client.sendForJson("GET", client.uri("/crm/v3/objects/contacts/" + UrlTemplate.encode(id)
                + "?properties=email"), null);
    }

    /** The id of the contact with this e-mail address: a search with {@code email EQ}. */
    Optional<String> findContactByEmail(String email) throws ApiException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putArray("filterGroups").addObject().putArray("filters").addObject()
                .put("propertyName", "email").put("operator", "EQ").put("value", email);
        body.putArray("properties").add("email");
        body.put("limit", 1);
        JsonNode answer = client.sendForJson("POST", client.uri("/crm/v3/objects/contacts/search"), body);
        for (JsonNode r : answer.path("results")) {
            String id = Json.text(r, "id");
            if (id != null) {
                return Optional.of(id);
            }
        }
        return Optional.empty();
    }

    /** A created contact's id, and whether HubSpot already had one with that e-mail address (409 CONFLICT). */
    record Created(String id, boolean existed) {
    }

    /** {@code POST /crm/v3/objects/contacts}; a 409 "Contact already exists. Existing ID: N" gives N. */
    Created createContact(Map<String, String> properties) throws ApiException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode p = body.putObject("properties");
        properties.forEach(p::put);
        try {
            JsonNode answer = client.sendForJson("POST", client.uri("/crm/v3/objects/contacts"), body);
            String id = Json.text(answer, "id");
            if (id == null) {
                throw new ApiException(ApiException.Kind.BAD_ANSWER, 201, null, null,
                        "HubSpot's answer to POST /crm/v3/objects/contacts has no id", null);
            }
            return new Created(id, false);
        } catch (ApiException e) {
            if (e.kind() == ApiException.Kind.HTTP && e.status() == 409 && e.crmMessage() != null) {
                Matcher m = EXISTING_ID.matcher(e.crmMessage());
                if (m.find()) {
                    return new Created(m.group(1), true);
                }
            }
            throw e;
        }
    }

    /** {@code PATCH /crm/v3/objects/contacts/<id>} with these properties ("" clears one). */
    void updateContact(String id, Map<String, String> properties) throws ApiException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode p = body.putObject("properties");
        properties.forEach(p::put);
        client.sendForJson("PATCH", client.uri("/crm/v3/objects/contacts/" + UrlTemplate.encode(id)), body);
    }

    /**
     * {@code PUT /crm/v3/lists/<listId>/memberships/add} (or {@code remove}) with the record ids.
     *
     * @return the ids HubSpot reports missing ({@code recordIdsMissing}: no such record)
     */
    List<String> changeListMembership(String listId, boolean add, List<String> recordIds) throws ApiException {
        ArrayNode body = Json.MAPPER.createArrayNode();
        recordIds.forEach(body::add);
        JsonNode answer = client.sendForJson("PUT", client.uri("/crm/v3/lists/" + UrlTemplate.encode(listId)
                + "/memberships/" + (add ? "add" : "remove")), body);
        List<String> missing = new ArrayList<>();
        answer.path("recordIdsMissing").forEach(n -> missing.add(n.asText()));
        return missing;
    }

    /** {@code POST /crm/v3/objects/tasks} with {@code body}; returns the answer (its {@code id} is the task's). */
    ApiClient.Answer createTask(ObjectNode body) throws ApiException {
        return client.send("POST", client.uri("/crm/v3/objects/tasks"), body);
    }

    private static List<List<String>> chunks(Collection<String> ids) {
        List<String> all = new ArrayList<>(new LinkedHashSet<>(ids));
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i += BATCH) {
            out.add(all.subList(i, Math.min(all.size(), i + BATCH)));
        }
        return out;
    }
}
