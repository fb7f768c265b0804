package io.atrium.plugins.crm;

/**
 * A call to the CRM API that did not give the answer wanted. {@link #kind()} says how far it got,
 * which decides whether it may be repeated: {@link Kind#NOT_SENT} never reached the CRM,
 * {@link Kind#NO_ANSWER} went out but got no answer (the CRM may have done it), {@link Kind#HTTP} got
 * an error status, {@link Kind#BAD_ANSWER} got a 2xx the plugin could not read. The message names the
 * call and the CRM's own words, never a secret.
 */
final class ApiException extends Exception {

    enum Kind { NOT_SENT, NO_ANSWER, HTTP, BAD_ANSWER }

    private final Kind kind;
    private final int status;
    private final String category;
    private final String crmMessage;

    ApiException(Kind kind, int status, String category, String crmMessage, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.category = category;
        this.crmMessage = crmMessage;
    }

    Kind kind() {
        return kind;
    }

    /** The HTTP status, or 0 when there was no answer. */
    int status() {
        return status;
    }

    /** HubSpot's {@code category} (VALIDATION_ERROR, OBJECT_NOT_FOUND, ...) or {@code errorType} (RATE_LIMIT), or null. */
    String category() {
        return category;
    }

    /** The CRM's {@code message}, or null. */
    String crmMessage() {
        return crmMessage;
    }

    /** Trying again later can help: nothing was sent, or 408/429/5xx. */
    boolean isTransient() {
        return kind == Kind.NOT_SENT || (kind == Kind.HTTP && isTransientStatus(status));
    }

    static boolean isTransientStatus(int status) {
        return status >= 500 || status == 429 || status == 408;
    }
}
