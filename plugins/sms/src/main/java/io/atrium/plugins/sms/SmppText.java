package io.atrium.plugins.sms;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.apache.camel.component.smpp.SmppUtils;
import org.jsmpp.bean.Alphabet;
import org.jsmpp.bean.DeliverSm;
import org.jsmpp.bean.OptionalParameter;

/** Text in and out of SMPP PDUs. */
final class SmppText {

    private SmppText() {
    }

    /**
     * The alphabet to send {@code text} in: the SMSC default alphabet (data_coding 0, 160 characters
     * a part) when every character is in GSM 03.38 and Latin-1, else UCS-2 (data_coding 8, 70 a part),
     * so Cyrillic and emoji arrive intact instead of as '?'.
     */
    static Alphabet alphabetFor(String text) {
        if (StandardCharsets.ISO_8859_1.newEncoder().canEncode(text)
                && SmppUtils.isGsm0338Encodeable(text.getBytes(StandardCharsets.ISO_8859_1))) {
            return Alphabet.ALPHA_DEFAULT;
        }
        return Alphabet.ALPHA_UCS2;
    }

    /**
     * The text of a deliver_sm: short_message, or the message_payload TLV when that is empty; a user
     * data header (esm_class UDHI, a part of a concatenated message) is skipped; UCS-2 is read as
     * UTF-16BE, everything else as Latin-1 (which the SMSC default alphabet's ASCII range agrees with).
     */
    static String decode(DeliverSm deliverSm) {
        byte[] body = SmppUtils.getMessageBody(deliverSm);
        if (body == null || body.length == 0) {
            return "";
        }
        if ((deliverSm.getEsmClass() & 0x40) != 0) {
            int headerLength = (body[0] & 0xFF) + 1;
            body = Arrays.copyOfRange(body, Math.min(headerLength, body.length), body.length);
        }
        Alphabet alphabet;
        try {
            alphabet = Alphabet.parseDataCoding(deliverSm.getDataCoding());
        } catch (IllegalArgumentException e) {
            alphabet = Alphabet.ALPHA_DEFAULT;
        }
        return new String(body, alphabet == Alphabet.ALPHA_UCS2 ? StandardCharsets.UTF_16BE : StandardCharsets.ISO_8859_1);
    }

    /** A C-octet-string TLV's value, or null. */
    static String stringTlv(DeliverSm deliverSm, OptionalParameter.Tag tag) {
        OptionalParameter p = deliverSm.getOptionalParameter(tag);
        if (p instanceof OptionalParameter.OctetString o) {
            String v = o.getValueAsString();
            int nul = v.indexOf('\0');
            v = (nul >= 0 ? v.substring(0, nul) : v).strip();
            return v.isEmpty() ? null : v;
        }
        return null;
    }

    /** A one-byte TLV's value, or -1. */
    static int byteTlv(DeliverSm deliverSm, OptionalParameter.Tag tag) {
        OptionalParameter p = deliverSm.getOptionalParameter(tag);
        if (p instanceof OptionalParameter.Byte b) {
            return b.getValue() & 0xFF;
        }
        if (p instanceof OptionalParameter.OctetString o && o.getValue().length == 1) {
            return o.getValue()[0] & 0xFF;
        }
        return -1;
    }
}
