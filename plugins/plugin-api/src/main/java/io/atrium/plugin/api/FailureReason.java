package io.atrium.plugin.api;

/**
 * The normalised reasons of {@link MessageStatus#FAILED} and {@link MessageStatus#BOUNCED}, so
 * that a campaign can decide on a fallback the same way whatever the channel. A plugin may report
 * another lower-case word where none of these fits; these are the ones campaigns know.
 */
public final class FailureReason {

    /** The address is malformed or does not exist (bad e-mail, unallocated number). */
    public static final String INVALID_ADDRESS = "invalid_address";
    /** The person has no account on the channel (not a Viber user). */
    public static final String NOT_A_USER = "not_a_user";
    /** The provider refused it (spam filter, content, blocked sender, person blocked the sender). */
    public static final String REJECTED = "rejected";
    /** It was not delivered in the provider's validity period. */
    public static final String EXPIRED = "expired";
    /** The provider could not be reached or kept failing after every retry. */
    public static final String UNAVAILABLE = "unavailable";
    /** The hub did not send it: no consent or an opt-out for the channel and purpose. */
    public static final String NO_CONSENT = "no_consent";
    /** The hub did not send it: the person has no address on the channel. */
    public static final String NO_ADDRESS = "no_address";
    /** The hub stopped while handing it to a provider that cannot deduplicate; it is not sent again. */
    public static final String OUTCOME_UNKNOWN = "outcome_unknown";
    /** Any other permanent failure. */
    public static final String UNKNOWN = "unknown";

    private FailureReason() {
    }
}
