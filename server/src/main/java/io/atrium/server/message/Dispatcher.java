package io.atrium.server.message;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.atrium.plugin.api.ChannelOptions;
import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.MessageSender;
import io.atrium.plugin.api.MessageStatus;
import io.atrium.plugin.api.OutboundMessage;
import io.atrium.plugin.api.SendException;
import io.atrium.plugin.api.SendResult;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Hands one queued message to its channel's plugin. The outbound queue carries message ids; the
 * message itself is in PostgreSQL, and is claimed ({@code queued → sending}) before the send, so:
 * <ul>
 *   <li>a queue message delivered twice sends once (the second finds it no longer queued);</li>
 *   <li>a hub that dies between the provider's accept and the recording leaves it {@code sending}: on
 *       redelivery a channel whose provider deduplicates by message id ({@link ChannelOptions#idempotent()})
 *       sends it again, any other marks it failed with {@code outcome_unknown} and never sends it twice;</li>
 *   <li>a transient failure puts it back to {@code queued} and throws, so the broker redelivers it with
 *       backoff; after {@code atrium.messages.max-attempts} attempts it fails for good.</li>
 * </ul>
 * Consent is checked again here: the person may have opted out while the message waited.
 */
@Component
public class Dispatcher {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final MessageStore store;
    private final ConsentCheck consent;
    private final int maxAttempts;

    public Dispatcher(MessageStore store, ConsentCheck consent, @Value("${atrium.messages.max-attempts:5}") int maxAttempts) {
        this.store = store;
        this.consent = consent;
        this.maxAttempts = maxAttempts;
    }

    /** Thrown to have the broker redeliver the queue message later. */
    public static final class RetryLater extends RuntimeException {
        RetryLater(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public void dispatch(String channel, ChannelOptions options, MessageSender sender, ClassLoader pluginClassLoader,
                         Pacer pacer, String messageId) {
        Optional<MessageStore.Row> claimed = store.claim(messageId);
        MessageStore.Row m;
        if (claimed.isPresent()) {
            m = claimed.get();
        } else {
            Optional<MessageStore.Row> existing = store.find(messageId);
            if (existing.isEmpty()) {
                log.warn("Channel '{}': message {} is not in the database (erased?); dropped", channel, messageId);
                return;
            }
            m = existing.get();
            if (!MessageStore.SENDING.equals(m.status())) {
                log.debug("Channel '{}': message {} is {} already; not sent again", channel, messageId, m.status());
                return;
            }
            if (!options.idempotent()) {
                log.warn("Channel '{}': message {} was being sent when the hub stopped; the provider cannot deduplicate, "
                        + "so it is not sent again", channel, messageId);
                fail(m, FailureReason.OUTCOME_UNKNOWN, "the hub stopped while handing it to the provider; not sent again "
                        + "so that it cannot arrive twice");
                return;
            }
            log.info("Channel '{}': message {} was being sent when the hub stopped; sending again (the provider deduplicates)",
                    channel, messageId);
        }
        String refusal = m.profileId() == null ? "the profile was erased"
                : options.internal() ? null : consent.refusal(m.profileId(), channel, m.purpose());
        if (refusal != null) {
            fail(m, FailureReason.NO_CONSENT, refusal);
            return;
        }
        OutboundMessage out = new OutboundMessage(m.id(), channel, String.valueOf(m.profileId()), m.address(), m.purpose(),
                m.subject(), m.text(), m.html(), (String) m.attributes().get("unsubscribeUrl"), m.attributes());
        pacer.acquire();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(pluginClassLoader);
        SendResult result;
        try {
            result = sender.send(out);
        } catch (SendException e) {
            if (e.isPermanent()) {
                log.info("Channel '{}': message {} failed ({}): {}", channel, m.id(), e.reason(), e.getMessage());
                fail(m, e.reason() == null ? FailureReason.UNKNOWN : e.reason(), e.getMessage());
                return;
            }
            retryOrFail(m, e.reason() == null ? FailureReason.UNAVAILABLE : e.reason(), e.getMessage(), e);
            return;
        } catch (RuntimeException e) {
            retryOrFail(m, FailureReason.UNAVAILABLE, "the plugin failed: " + e, e);
            return;
        } finally {
            thread.setContextClassLoader(previous);
        }
        store.sent(m, result == null ? null : result.providerMessageId());
    }

    private void retryOrFail(MessageStore.Row m, String reason, String detail, Exception cause) {
        if (m.attempts() >= maxAttempts) {
            log.warn("Channel '{}': message {} failed after {} attempts ({}): {}", m.channel(), m.id(), m.attempts(), reason, detail);
            fail(m, reason, detail + " (after " + m.attempts() + " attempts)");
            return;
        }
        log.info("Channel '{}': message {} attempt {} of {} failed, retrying later: {}", m.channel(), m.id(), m.attempts(),
                maxAttempts, detail);
        store.requeue(m.id(), detail);
        throw new RetryLater("message " + m.id() + ": " + detail, cause);
    }

    private void fail(MessageStore.Row m, String reason, String detail) {
        store.record(m.id(), "hub-" + m.id() + "-failed", MessageStatus.FAILED, reason, detail, Instant.now(), Map.of());
    }

    /** Paces sends to a rate per second on this node: each send waits for its slot. */
    public static final class Pacer {
        private final long intervalNanos;
        private long next;

        public Pacer(double ratePerSecond) {
            this.intervalNanos = ratePerSecond <= 0 ? 0 : (long) (TimeUnit.SECONDS.toNanos(1) / ratePerSecond);
        }

        public void acquire() {
            if (intervalNanos == 0) {
                return;
            }
            long wait;
            synchronized (this) {
                long now = System.nanoTime();
                long slot = Math.max(now, next);
                next = slot + intervalNanos;
                wait = slot - now;
            }
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RetryLater("interrupted while pacing", e);
                }
            }
        }
    }
}
