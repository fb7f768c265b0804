package io.atrium.plugin.api;

import java.util.Objects;

/**
 * How the hub runs a channel a plugin registers.
 *
 * @param addressType   the identity type that holds a person's address on this channel
 *                      ({@code email}, {@code phone}, {@code viber_id}, ...)
 * @param ratePerSecond at most this many sends per second per hub node; 0 means no limit
 * @param concurrency   how many messages are sent at once per hub node
 * @param idempotent    true if the provider deduplicates by {@link OutboundMessage#id()}, so a message
 *                      interrupted by a crash can safely be sent again; false (the default) means the
 *                      hub never sends it again and marks it failed with {@link FailureReason#OUTCOME_UNKNOWN}
 * @param internal      true for a channel that reaches the company's own staff about a person, not
 *                      the person (a task for a sales manager in the CRM): the person's consent,
 *                      frequency caps and quiet hours do not apply, and its messages get no
 *                      unsubscribe link
 */
public record ChannelOptions(String addressType, double ratePerSecond, int concurrency, boolean idempotent,
                             boolean internal) {

    public ChannelOptions {
        Objects.requireNonNull(addressType, "addressType");
        if (ratePerSecond < 0) {
            throw new IllegalArgumentException("ratePerSecond must be >= 0, got " + ratePerSecond);
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be >= 1, got " + concurrency);
        }
    }

    /** Unlimited rate, one message at a time, not idempotent, reaching the person. */
    public static ChannelOptions addressedBy(String addressType) {
        return new ChannelOptions(addressType, 0, 1, false, false);
    }

    public ChannelOptions ratePerSecond(double rate) {
        return new ChannelOptions(addressType, rate, concurrency, idempotent, internal);
    }

    public ChannelOptions concurrency(int n) {
        return new ChannelOptions(addressType, ratePerSecond, n, idempotent, internal);
    }

    public ChannelOptions idempotent(boolean value) {
        return new ChannelOptions(addressType, ratePerSecond, concurrency, value, internal);
    }

    /** A channel to the company's own staff (see {@link #internal()}). */
    public ChannelOptions internal(boolean value) {
        return new ChannelOptions(addressType, ratePerSecond, concurrency, idempotent, value);
    }
}
