package io.atrium.plugins.sms;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

import io.atrium.plugin.api.FailureReason;
import io.atrium.plugin.api.SendException;

import org.apache.camel.component.smpp.SmppException;
import org.jsmpp.InvalidResponseException;
import org.jsmpp.PDUException;
import org.jsmpp.extra.NegativeResponseException;
import org.jsmpp.extra.ResponseTimeoutException;

/**
 * What an SMPP failure means for the hub.
 *
 * <ul>
 * <li>no session (cannot connect, bind refused, connection lost), throttling (ESME_RTHROTTLED 0x58),
 *     a full queue (ESME_RMSGQFUL 0x14), no answer in time: transient, {@code unavailable};</li>
 * <li>ESME_RINVDSTADR (0x0B): permanent, {@code invalid_address};</li>
 * <li>any other submit_sm error status, or a message jsmpp cannot encode: permanent, {@code rejected}.</li>
 * </ul>
 */
final class SmppErrors {

    static final int THROTTLED = 0x58;
    static final int QUEUE_FULL = 0x14;
    static final int INVALID_DEST = 0x0B;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(0x01, "ESME_RINVMSGLEN, message too long"),
            Map.entry(0x04, "ESME_RINVBNDSTS, wrong bind state"),
            Map.entry(0x05, "ESME_RALYBND, already bound"),
            Map.entry(0x08, "ESME_RSYSERR, SMSC system error"),
            Map.entry(0x0A, "ESME_RINVSRCADR, invalid source address"),
            Map.entry(INVALID_DEST, "ESME_RINVDSTADR, invalid destination address"),
            Map.entry(0x0D, "ESME_RBINDFAIL, bind failed"),
            Map.entry(0x0E, "ESME_RINVPASWD, invalid password"),
            Map.entry(0x0F, "ESME_RINVSYSID, invalid system_id"),
            Map.entry(QUEUE_FULL, "ESME_RMSGQFUL, message queue full"),
            Map.entry(0x45, "ESME_RSUBMITFAIL, submit failed"),
            Map.entry(0x48, "ESME_RINVSRCTON, invalid source TON"),
            Map.entry(0x49, "ESME_RINVSRCNPI, invalid source NPI"),
            Map.entry(0x50, "ESME_RINVDSTTON, invalid destination TON"),
            Map.entry(0x51, "ESME_RINVDSTNPI, invalid destination NPI"),
            Map.entry(0x53, "ESME_RINVSYSTYP, invalid system_type"),
            Map.entry(THROTTLED, "ESME_RTHROTTLED, throttling error"),
            Map.entry(0x61, "ESME_RINVSCHED, invalid scheduled delivery time"),
            Map.entry(0x62, "ESME_RINVEXPIRY, invalid validity period"),
            Map.entry(0xFE, "ESME_RDELIVERYFAILURE, delivery failure"),
            Map.entry(0xFF, "ESME_RUNKNOWNERR, unknown error"),
            Map.entry(0x104, "ESME_RINVDCS, invalid data coding"));

    private SmppErrors() {
    }

    /** "0x58 (ESME_RTHROTTLED, throttling error)". */
    static String describe(int status) {
        String name = NAMES.get(status);
        return String.format("0x%02X", status) + (name == null ? "" : " (" + name + ")");
    }

    /**
     * The status of a refused bind in {@code failure}'s causes, or empty when the failure is something
     * else (no connection, a failed submit).
     */
    static Optional<Integer> bindRefusal(Throwable failure) {
        if (find(failure, SmppException.class) != null) {
            return Optional.empty();
        }
        NegativeResponseException nre = find(failure, NegativeResponseException.class);
        return nre == null ? Optional.empty() : Optional.of(nre.getCommandStatus());
    }

    /** True for the refusals that mean the bind settings are wrong, not that the SMSC is busy. */
    static boolean isCredentialRefusal(int status) {
        return status == 0x0D || status == 0x0E || status == 0x0F || status == 0x53;
    }

    /** Which keys to look at for a refused bind. */
    static String bindHint(int status) {
        return switch (status) {
            case 0x0E -> "check key '" + SmsConfig.PASSWORD + "'";
            case 0x0F -> "check key '" + SmsConfig.SYSTEM_ID + "'";
            case 0x53 -> "check key '" + SmsConfig.SYSTEM_TYPE + "'";
            default -> "check keys '" + SmsConfig.SYSTEM_ID + "', '" + SmsConfig.PASSWORD + "' and '"
                    + SmsConfig.SYSTEM_TYPE + "', and that the SMSC allows this account to bind";
        };
    }

    /** Turns what camel-smpp's producer threw into the hub's outcome. */
    static SendException toSendException(Throwable failure, String endpoint) {
        boolean submitted = find(failure, SmppException.class) != null;
        NegativeResponseException nre = find(failure, NegativeResponseException.class);
        if (!submitted) {
            if (nre != null) {
                int status = nre.getCommandStatus();
                return new SendException(FailureReason.UNAVAILABLE, "SMPP bind to " + endpoint + " was refused: "
                        + describe(status) + "; " + bindHint(status), false, failure);
            }
            return new SendException(FailureReason.UNAVAILABLE, "no SMPP session to " + endpoint + ": "
                    + message(failure), false, failure);
        }
        if (nre != null) {
            int status = nre.getCommandStatus();
            String what = "the SMSC " + endpoint + " refused submit_sm: " + describe(status);
            if (status == THROTTLED || status == QUEUE_FULL) {
                return new SendException(FailureReason.UNAVAILABLE, what, false, failure);
            }
            if (status == INVALID_DEST) {
                return new SendException(FailureReason.INVALID_ADDRESS, what, true, failure);
            }
            return new SendException(FailureReason.REJECTED, what, true, failure);
        }
        if (find(failure, ResponseTimeoutException.class) != null) {
            // The submit_sm went out: the SMSC may have taken it. Retrying could reach the person twice.
            return new SendException(FailureReason.OUTCOME_UNKNOWN, "the SMSC " + endpoint
                    + " did not answer submit_sm in time; not retried, since it may have been sent", true, failure);
        }
        if (find(failure, PDUException.class) != null) {
            return new SendException(FailureReason.REJECTED, "the message cannot be put in a submit_sm: "
                    + message(failure), true, failure);
        }
        if (find(failure, InvalidResponseException.class) != null || find(failure, IOException.class) != null) {
            return new SendException(FailureReason.UNAVAILABLE, "SMPP session to " + endpoint + " failed: "
                    + message(failure), false, failure);
        }
        return new SendException(FailureReason.UNAVAILABLE, "sending to " + endpoint + " failed: " + message(failure),
                false, failure);
    }

    static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    /** The innermost message, which is the one that says what happened. */
    static String message(Throwable t) {
        Throwable c = t;
        String msg = null;
        while (c != null) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                msg = c.getClass().getSimpleName() + ": " + c.getMessage();
            } else if (msg == null) {
                msg = c.getClass().getSimpleName();
            }
            c = c.getCause() == c ? null : c.getCause();
        }
        return msg;
    }
}
