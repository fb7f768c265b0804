package io.atrium.plugin.api;

import java.util.Locale;

/**
 * The one status model every channel reports in. A message moves forward through
 * {@code QUEUED → SENT → DELIVERED → OPENED → CLICKED}; {@code FAILED} and {@code BOUNCED} end it;
 * {@code UNSUBSCRIBED} means the person used the message to opt out of the channel.
 *
 * <p>Each status the hub records becomes an event on the person's profile named
 * {@code message_<status>} ({@code message_delivered}, {@code message_opened}, ...).
 */
public enum MessageStatus {
    /** Accepted by the hub and waiting in the channel's outbound queue. */
    QUEUED,
    /** Accepted by the provider (SMTP server, SMSC, Viber). */
    SENT,
    /** The provider says it reached the person's device or mailbox. */
    DELIVERED,
    /** Read or opened: an e-mail's open pixel, Viber's {@code seen}, an SMS read receipt. */
    OPENED,
    /** The person followed a link in it. */
    CLICKED,
    /** It will not be delivered; {@link StatusUpdate#reason()} says why. */
    FAILED,
    /** The recipient's server returned it (hard or soft bounce). */
    BOUNCED,
    /** The person opted out through it (unsubscribe link, List-Unsubscribe, "STOP"). */
    UNSUBSCRIBED;

    /** The wire and event name: {@code delivered}, {@code opened}, ... */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads a wire name, case-insensitively; {@code read} and {@code seen} are {@link #OPENED}. */
    public static MessageStatus fromWire(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "read", "seen" -> OPENED;
            default -> valueOf(n.toUpperCase(Locale.ROOT));
        };
    }

    /** FAILED and BOUNCED: nothing more will happen to the message. */
    public boolean isFailure() {
        return this == FAILED || this == BOUNCED;
    }
}
