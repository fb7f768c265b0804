package io.atrium.plugins.sms;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.MessageStatus;
import io.atrium.plugin.api.StatusUpdate;

/**
 * Turns the final state of an SMPP delivery receipt into the hub's status model.
 *
 * <table>
 * <tr><th>stat</th><th>status</th><th>reason</th></tr>
 * <tr><td>DELIVRD</td><td>DELIVERED</td><td></td></tr>
 * <tr><td>UNDELIV</td><td>FAILED</td><td>invalid_address for err 001, 005, 009, 011; else rejected</td></tr>
 * <tr><td>REJECTD</td><td>FAILED</td><td>rejected</td></tr>
 * <tr><td>EXPIRED</td><td>FAILED</td><td>expired</td></tr>
 * <tr><td>DELETED, UNKNOWN</td><td>FAILED</td><td>unknown</td></tr>
 * <tr><td>ACCEPTD, ENROUTE, BUFFRED</td><td>nothing (the hub already has SENT)</td><td></td></tr>
 * </table>
 */
final class ReceiptStatus {

    /**
     * err codes of UNDELIV that mean the number cannot receive SMS. They are GSM MAP errors as most
     * SMSCs report them (decimal): 001 unknown subscriber, 005 unidentified subscriber, 009 illegal
     * subscriber, 011 teleservice not provisioned (e.g. a landline); 011 is also how some SMSCs write
     * the SMPP status ESME_RINVDSTADR (0x0B). Operators differ: everything else is "rejected".
     */
    static final Set<String> INVALID_ADDRESS_ERRORS = Set.of("001", "005", "009", "011");

    /** SMPP 3.4 message_state values (TLV 0x0427), for receipts without a stat in their text. */
    private static final String[] MESSAGE_STATES = {null, "ENROUTE", "DELIVRD", "EXPIRED", "DELETED", "UNDELIV", "ACCEPTD",
            "UNKNOWN", "REJECTD"};

    private ReceiptStatus() {
    }

    /** The stat name of a message_state TLV value, or null. */
    static String statOfMessageState(int state) {
        return state > 0 && state < MESSAGE_STATES.length ? MESSAGE_STATES[state] : null;
    }

    /**
     * The status update for a receipt of {@code providerMessageId}, or empty for intermediate and
     * unknown states.
     */
    static Optional<StatusUpdate> toStatus(String providerMessageId, String stat, String err) {
        if (stat == null || providerMessageId == null) {
            return Optional.empty();
        }
        String s = stat.strip().toUpperCase(Locale.ROOT);
        String e = err == null ? "" : err.strip();
        String detail = "stat:" + s + " err:" + (e.isEmpty() ? "-" : e);
        StatusUpdate update = switch (s) {
            case "DELIVRD", "DELIVERED" -> StatusUpdate.ofProviderMessage(providerMessageId, MessageStatus.DELIVERED)
                    .reason(null, detail);
            case "UNDELIV", "UNDELIVERABLE" -> failed(providerMessageId,
                    INVALID_ADDRESS_ERRORS.contains(threeDigits(e)) ? FailureReason.INVALID_ADDRESS : FailureReason.REJECTED,
                    detail);
            case "REJECTD", "REJECTED" -> failed(providerMessageId, FailureReason.REJECTED, detail);
            case "EXPIRED" -> failed(providerMessageId, FailureReason.EXPIRED, detail);
            case "DELETED", "UNKNOWN" -> failed(providerMessageId, FailureReason.UNKNOWN, detail);
            default -> null; // ACCEPTD, ENROUTE, BUFFRED, SCHEDULED, ... : no change the hub does not know already
        };
        if (update != null && !e.isEmpty()) {
            update = update.attribute("smppError", e);
        }
        return Optional.ofNullable(update);
    }

    private static StatusUpdate failed(String id, String reason, String detail) {
        return StatusUpdate.ofProviderMessage(id, MessageStatus.FAILED).reason(reason, detail);
    }

    /** "1" and "0001" are "001". */
    private static String threeDigits(String err) {
        if (!err.matches("[0-9]+")) {
            return err;
        }
        String n = err.replaceFirst("^0+(?=.)", "");
        return n.length() >= 3 ? n : "0".repeat(3 - n.length()) + n;
    }
}
