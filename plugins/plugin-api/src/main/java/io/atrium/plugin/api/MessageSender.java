package io.atrium.plugin.api;

/**
 * Sends messages on one channel. The hub calls it for every message taken from the channel's
 * durable outbound queue, one message at a time per consumer.
 *
 * <p>Returning normally means the provider accepted the message. Throwing
 * {@link SendException} with {@code permanent = false} makes the hub retry later with backoff;
 * {@code permanent = true} marks the message failed for good.
 */
@FunctionalInterface
public interface MessageSender {

    void send(OutboundMessage message) throws SendException;
}
