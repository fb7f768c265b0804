package io.atrium.plugin.api;

/** A message could not be handed to the provider. */
public class SendException extends Exception {

    private final boolean permanent;
    private final String reason;

    /**
     * @param reason    a short machine-readable reason: invalid_address, not_a_user, rejected, expired, unavailable, ...
     * @param message   what happened, for people
     * @param permanent true if retrying cannot help
     */
    public SendException(String reason, String message, boolean permanent, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.permanent = permanent;
    }

    public SendException(String reason, String message, boolean permanent) {
        this(reason, message, permanent, null);
    }

    public boolean isPermanent() {
        return permanent;
    }

    public String reason() {
        return reason;
    }
}
