package io.atrium.plugin.api;

/**
 * Sends messages on one channel. The hub calls it for every message taken from the channel's
 * durable outbound queue, one at a time per consumer, paced to the channel's rate limit.
 *
 * <p>Returning means the provider accepted the message: the hub records it {@code SENT} with the
 * returned {@link SendResult#providerMessageId()}, which later status reports may refer to.
 * Throwing {@link SendException} with {@code permanent = false} makes the hub retry later with
 * backoff (up to the hub's attempt limit); {@code permanent = true} marks the message failed for
 * good with the exception's reason.
 *
 * <p>Use {@link OutboundMessage#id()} as the provider's idempotency key where its API has one, and
 * say so with {@link ChannelOptions#idempotent(boolean)}: only then does the hub send a message
 * again after a crash in the middle of a send.
 */
@FunctionalInterface
public interface MessageSender {

    SendResult send(OutboundMessage message) throws SendException;
}
