package io.atrium.plugins.sms;

import java.util.Locale;
import java.util.Optional;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.MessageStatus;
import io.atrium.plugin.api.StatusUpdate;

/**
 * The status a gateway reports on the delivery callback: a Kannel DLR type ({@code status=%d} in
 * its dlr-url) or a word, as generic and Twilio-style gateways send it.
 *
 * <table>
 * <tr><th>value</th><th>status</th></tr>
 * <tr><td>1 (Kannel: delivered to the phone), delivered</td><td>DELIVERED</td></tr>
 * <tr><td>2 (delivery failure), 16 (SMSC rejected), failed, undelivered, undeliverable, rejected</td><td>FAILED rejected</td></tr>
 * <tr><td>expired</td><td>FAILED expired</td></tr>
 * <tr><td>read</td><td>OPENED</td></tr>
 * <tr><td>4 (buffered), 8 (SMSC accepted), 32 (intermediate), queued, accepted, sending, sent, buffered, enroute, scheduled</td>
 *     <td>nothing: the hub has SENT already</td></tr>
 * </table>
 */
final class CallbackStatus {

    private CallbackStatus() {
    }

    /**
     * The update for {@code messageId}, or empty when the status changes nothing.
     *
     * @param reason an optional failure reason word from the callback, used instead of the default one
     * @param detail the provider's words, or null
     * @throws IllegalArgumentException if {@code status} is neither a known code nor a known word
     */
    static Optional<StatusUpdate> toStatus(String messageId, String status, String reason, String detail) {
        String s = status.strip().toLowerCase(Locale.ROOT);
        Optional<StatusUpdate> update;
        String shown;
        if (s.matches("[0-9]{1,3}")) {
            int code = Integer.parseInt(s);
            shown = "dlr:" + code;
            if ((code & 1) != 0) {
                update = Optional.of(StatusUpdate.ofMessage(messageId, MessageStatus.DELIVERED));
            } else if ((code & (2 | 16)) != 0) {
                update = Optional.of(StatusUpdate.ofMessage(messageId, MessageStatus.FAILED)
                        .reason(FailureReason.REJECTED, null));
            } else if (code != 0 && (code & ~(4 | 8 | 32)) == 0) {
                update = Optional.empty();
            } else {
                throw new IllegalArgumentException("unknown Kannel DLR type " + code + "; expected 1, 2, 4, 8, 16 or 32");
            }
        } else {
            shown = "status:" + s;
            update = switch (s) {
                case "delivered" -> Optional.of(StatusUpdate.ofMessage(messageId, MessageStatus.DELIVERED));
                case "failed", "undelivered", "undeliverable", "rejected" -> Optional.of(
                        StatusUpdate.ofMessage(messageId, MessageStatus.FAILED).reason(FailureReason.REJECTED, null));
                case "expired" -> Optional.of(StatusUpdate.ofMessage(messageId, MessageStatus.FAILED)
                        .reason(FailureReason.EXPIRED, null));
                case "read" -> Optional.of(StatusUpdate.ofMessage(messageId, MessageStatus.OPENED));
                case "queued", "accepted", "sending", "sent", "buffered", "enroute", "scheduled" -> Optional.empty();
                default -> throw new IllegalArgumentException("unknown status '" + status.strip() + "'; expected a Kannel "
                        + "DLR type (1, 2, 4, 8, 16) or one of delivered, failed, undelivered, rejected, expired, read, "
                        + "queued, accepted, sending, sent, buffered");
            };
        }
        String text = detail == null || detail.isBlank() ? shown : shown + " " + detail.strip();
        return update.map(u -> {
            String r = u.reason();
            if (u.status().isFailure() && reason != null && reason.strip().matches("[a-z_]{1,40}")) {
                r = reason.strip();
            }
            return u.reason(r, text);
        });
    }
}
