package io.atrium.plugins.crm;

import java.time.Clock;
import java.util.Map;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.MessageSender;
import io.atrium.plugin.api.OutboundMessage;
import io.atrium.plugin.api.SendException;
import io.atrium.plugin.api.SendResult;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code crm-task} channel: each message becomes a task on the person's contact (its
 * {@code crm_id}, the channel's address) and the task's id is the message's provider id.
 *
 * <p>HubSpot: the contact is read first ({@code GET /crm/v3/objects/contacts/<id>}; 404 fails the
 * message {@code invalid_address} before anything is created), then {@code POST /crm/v3/objects/tasks}
 * with {@code hs_task_subject}, {@code hs_task_body}, {@code hs_timestamp} (the due date),
 * {@code hs_task_status} NOT_STARTED, {@code hs_task_priority}, {@code hs_task_type},
 * {@code hubspot_owner_id} and the association to the contact (HUBSPOT_DEFINED type 204).
 *
 * <p>Failures: 401 and 403 are permanent {@code rejected} (the token or its scopes), 404 permanent
 * {@code invalid_address} (no such contact), other 4xx permanent {@code rejected} with HubSpot's
 * message; 408, 429, 5xx and a CRM that cannot be reached are transient {@code unavailable}. A create
 * request that went out and got no answer is permanent {@code outcome_unknown}: HubSpot may have made
 * the task, and a second one for the same person must not appear.
 */
final class TaskSender implements MessageSender {

    private static final Logger LOG = LoggerFactory.getLogger(TaskSender.class);

    private final ApiClient client;
    private final HubSpotApi api;
    private final CrmSettings settings;
    private final Clock clock;

    TaskSender(ApiClient client, CrmSettings settings, Clock clock) {
        this.client = client;
        this.api = new HubSpotApi(client);
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public SendResult send(OutboundMessage message) throws SendException {
        TaskRequest task = TaskRequest.from(message, settings.tasks(), clock);
        if (task.contactId().isEmpty()) {
            throw new SendException(FailureReason.NO_ADDRESS, "the message has no crm_id to attach the task to", true);
        }
        return settings.hubspot() ? hubspot(message, task) : generic(message, task);
    }

    private SendResult hubspot(OutboundMessage message, TaskRequest task) throws SendException {
        if (!task.contactId().matches("[0-9]+")) {
            throw new SendException(FailureReason.INVALID_ADDRESS, "crm_id '" + task.contactId()
                    + "' is not a HubSpot contact id (digits)", true);
        }
        try {
            api.contact(task.contactId());
        } catch (ApiException e) {
            // Nothing was created yet: even no answer can be tried again.
            throw failure(e, true, "contact " + task.contactId());
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode p = body.putObject("properties");
        p.put("hs_timestamp", task.due().toString());
        p.put("hs_task_subject", task.subject());
        p.put("hs_task_body", task.htmlBody());
        p.put("hs_task_status", "NOT_STARTED");
        p.put("hs_task_priority", task.priority());
        p.put("hs_task_type", task.type());
        if (task.ownerId() != null) {
            p.put("hubspot_owner_id", task.ownerId());
        }
        ObjectNode assoc = body.putArray("associations").addObject();
        assoc.putObject("to").put("id", task.contactId());
        assoc.putArray("types").addObject().put("associationCategory", "HUBSPOT_DEFINED")
                .put("associationTypeId", HubSpotApi.TASK_TO_CONTACT);
        ApiClient.Answer answer;
        try {
            answer = api.createTask(body);
        } catch (ApiException e) {
            throw failure(e, false, "contact " + task.contactId());
        }
        return accepted(answer, JsonPointer.compile("/id"), message);
    }

    private SendResult generic(OutboundMessage message, TaskRequest task) throws SendException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("messageId", message.id());
        body.put("crmId", task.contactId());
        body.put("title", task.subject());
        body.put("body", task.body());
        body.put("dueAt", task.due().toString());
        body.put("priority", task.priority());
        body.put("type", task.type());
        if (task.ownerId() != null) {
            body.put("ownerId", task.ownerId());
        }
        ObjectNode attrs = body.putObject("attributes");
        message.attributes().forEach((k, v) -> attrs.put(k, v == null ? null : v.toString()));
        ApiClient.Answer answer;
        try {
            answer = client.send("POST", settings.generic().taskUrl().expand(settings.apiUrl(),
                    Map.of("crm_id", task.contactId())), body);
        } catch (ApiException e) {
            throw failure(e, false, "crm_id " + task.contactId());
        }
        return accepted(answer, settings.generic().taskIdPointer(), message);
    }

    /** A 2xx: the task exists. Without an id in it, it is still accepted (it must not be made twice). */
    private SendResult accepted(ApiClient.Answer answer, JsonPointer idPointer, OutboundMessage message) {
        String id = answer.json() == null ? null : Json.text(answer.json().at(idPointer));
        if (id == null) {
            LOG.warn("crm: {} took the task of message {} (HTTP {}) but its answer has no id at {}", client.crmName(),
                    message.id(), answer.status(), idPointer);
        }
        return SendResult.accepted(id);
    }

    /**
     * @param safeToRepeat true when nothing can have been created yet (so no answer is transient too)
     */
    private SendException failure(ApiException e, boolean safeToRepeat, String contact) {
        String m = e.getMessage();
        switch (e.kind()) {
            case NOT_SENT:
                return new SendException(FailureReason.UNAVAILABLE, m, false, e);
            case NO_ANSWER:
                return safeToRepeat ? new SendException(FailureReason.UNAVAILABLE, m, false, e)
                        : new SendException(FailureReason.OUTCOME_UNKNOWN, m + "; not retried, since "
                        + client.crmName() + " may have created the task", true, e);
            case BAD_ANSWER:
                return new SendException(FailureReason.UNAVAILABLE, m, false, e);
            default:
                break;
        }
        int s = e.status();
        if (ApiException.isTransientStatus(s)) {
            return new SendException(FailureReason.UNAVAILABLE, m, false, e);
        }
        if (s == 401 || s == 403) {
            return new SendException(FailureReason.REJECTED, m + "; check key '" + CrmConfig.ACCESS_TOKEN + "'"
                    + (s == 403 ? " and its scopes (crm.objects.contacts.write for tasks)" : ""), true, e);
        }
        if (s == 404) {
            return new SendException(FailureReason.INVALID_ADDRESS, client.crmName() + " has no " + contact + ": " + m,
                    true, e);
        }
        return new SendException(FailureReason.REJECTED, m, true, e);
    }
}
