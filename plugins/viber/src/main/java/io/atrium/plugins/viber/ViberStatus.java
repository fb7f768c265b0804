package io.atrium.plugins.viber;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.SendException;

/**
 * The {@code status} codes of the Viber REST Bot API (the JSON field of every answer; HTTP stays 200),
 * as documented in the API's error code table, and what each means for a send.
 */
enum ViberStatus {
    OK(0, "ok", Outcome.SENT),
    INVALID_URL(1, "invalidUrl", Outcome.REJECTED),
    INVALID_AUTH_TOKEN(2, "invalidAuthToken", Outcome.REJECTED),
    BAD_DATA(3, "badData", Outcome.REJECTED),
    MISSING_DATA(4, "missingData", Outcome.REJECTED),
    RECEIVER_NOT_REGISTERED(5, "receiverNotRegistered", Outcome.NOT_A_USER),
    RECEIVER_NOT_SUBSCRIBED(6, "receiverNotSubscribed", Outcome.NOT_A_USER),
    PUBLIC_ACCOUNT_BLOCKED(7, "publicAccountBlocked", Outcome.REJECTED),
    PUBLIC_ACCOUNT_NOT_FOUND(8, "publicAccountNotFound", Outcome.REJECTED),
    PUBLIC_ACCOUNT_SUSPENDED(9, "publicAccountSuspended", Outcome.REJECTED),
    WEBHOOK_NOT_SET(10, "webhookNotSet", Outcome.REJECTED),
    RECEIVER_NO_SUITABLE_DEVICE(11, "receiverNoSuitableDevice", Outcome.REJECTED),
    TOO_MANY_REQUESTS(12, "tooManyRequests", Outcome.TRANSIENT),
    API_VERSION_NOT_SUPPORTED(13, "apiVersionNotSupported", Outcome.REJECTED),
    INCOMPATIBLE_WITH_VERSION(14, "incompatibleWithVersion", Outcome.REJECTED),
    PUBLIC_ACCOUNT_NOT_AUTHORIZED(15, "publicAccountNotAuthorized", Outcome.REJECTED),
    INCHAT_REPLY_MESSAGE_NOT_ALLOWED(16, "inchatReplyMessageNotAllowed", Outcome.REJECTED),
    PUBLIC_ACCOUNT_IS_NOT_INLINE(17, "publicAccountIsNotInline", Outcome.REJECTED),
    NO_PUBLIC_CHAT(18, "noPublicChat", Outcome.REJECTED),
    CANNOT_SEND_BROADCAST(19, "cannotSendBroadcast", Outcome.REJECTED),
    BROADCAST_NOT_ALLOWED(20, "broadcastNotAllowed", Outcome.REJECTED),
    UNSUPPORTED_COUNTRY(21, "unsupportedCountry", Outcome.REJECTED),
    PAYMENT_UNSUPPORTED(22, "paymentUnsupported", Outcome.REJECTED),
    FREE_MESSAGES_EXCEEDED(23, "freeMessagesExceeded", Outcome.REJECTED),
    NO_BALANCE(24, "noBalance", Outcome.REJECTED),
    /** Any code the documentation does not list ("General error"). */
    OTHER(-1, "generalError", Outcome.UNKNOWN);

    /** What a status means for the message that was sent. */
    enum Outcome {
        /** Accepted. */
        SENT,
        /** Permanent: the person has no Viber account, or is not subscribed to the bot. */
        NOT_A_USER,
        /** Permanent: Viber refused it (bad request, account blocked or not paid for, receiver's device too old...). */
        REJECTED,
        /** Retry later: rate control. */
        TRANSIENT,
        /** Permanent: a status the documentation does not list. */
        UNKNOWN
    }

    private final int code;
    private final String wireName;
    private final Outcome outcome;

    ViberStatus(int code, String wireName, Outcome outcome) {
        this.code = code;
        this.wireName = wireName;
        this.outcome = outcome;
    }

    static ViberStatus of(int code) {
        for (ViberStatus s : values()) {
            if (s.code == code && s != OTHER) {
                return s;
            }
        }
        return OTHER;
    }

    int code() {
        return code;
    }

    String wireName() {
        return wireName;
    }

    Outcome outcome() {
        return outcome;
    }

    /**
     * The exception a send answered with {@code status} ends in.
     *
     * @param status        the answer's status (non-zero)
     * @param statusMessage the answer's status_message, may be null
     */
    static SendException sendFailure(int status, String statusMessage) {
        ViberStatus s = of(status);
        String text = describe(status, statusMessage);
        return switch (s.outcome) {
            case NOT_A_USER -> new SendException(FailureReason.NOT_A_USER, text, true);
            case REJECTED -> new SendException(FailureReason.REJECTED, text, true);
            case TRANSIENT -> new SendException(FailureReason.UNAVAILABLE, text, false);
            case UNKNOWN -> new SendException(FailureReason.UNKNOWN, text, true);
            case SENT -> throw new IllegalArgumentException("status 0 is not a failure");
        };
    }

    /** "status 6 (receiverNotSubscribed): receiver is not subscribed": what people read. */
    static String describe(int status, String statusMessage) {
        ViberStatus s = of(status);
        String name = s == OTHER ? "not documented" : s.wireName;
        String msg = statusMessage == null || statusMessage.isBlank() ? "" : ": " + statusMessage.strip();
        return "Viber answered status " + status + " (" + name + ")" + msg;
    }
}
