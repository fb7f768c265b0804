package io.atrium.plugins.sms;

import java.util.regex.Pattern;

/** E.164 numbers and SMPP addresses. */
final class PhoneNumbers {

    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{4,14}");
    private static final Pattern DIGITS = Pattern.compile("[0-9]+");

    private PhoneNumbers() {
    }

    static boolean isE164(String number) {
        return number != null && E164.matcher(number).matches();
    }

    /**
     * A number written in a route: spaces, dashes and brackets removed, {@code 00} read as {@code +}, and a
     * {@code +} that a URI query turned into a space restored (7 to 15 bare digits are taken as international).
     */
    static String lenientE164(String written) {
        if (written == null) {
            return null;
        }
        String s = written.replaceAll("[\\s()\\-.]", "");
        if (s.startsWith("00")) {
            s = "+" + s.substring(2);
        } else if (DIGITS.matcher(s).matches() && s.length() >= 7 && s.length() <= 15) {
            s = "+" + s;
        }
        return s;
    }

    /** The destination_addr for an E.164 number: its digits. */
    static String smppDestination(String e164) {
        return e164.startsWith("+") ? e164.substring(1) : e164;
    }

    /** TON for a source address: 5 alphanumeric, 1 international (+digits), 0 unknown (other digits, short codes). */
    static byte sourceTon(String source) {
        if (source.startsWith("+") && DIGITS.matcher(source.substring(1)).matches()) {
            return 1;
        }
        return DIGITS.matcher(source).matches() ? (byte) 0 : (byte) 5;
    }

    /** NPI for a source address: 0 for an alphanumeric sender id, else 1 (ISDN). */
    static byte sourceNpi(String source) {
        return sourceTon(source) == 5 ? (byte) 0 : (byte) 1;
    }

    /** The source_addr as sent: an international number without its '+'. */
    static String smppSource(String source, byte ton) {
        return ton == 1 && source.startsWith("+") ? source.substring(1) : source;
    }

    /** The sender of an MO message: international (TON 1) digits become +E.164, anything else is kept as given. */
    static String fromSmpp(String address, byte ton) {
        if (address == null) {
            return "";
        }
        String a = address.strip();
        if (ton == 1) {
            String digits = a.startsWith("+") ? a.substring(1) : a;
            return DIGITS.matcher(digits).matches() ? "+" + digits : a;
        }
        return a;
    }

    /** The sender named by an HTTP gateway: {@code 00…} becomes {@code +…}, a '+' turned into a space is restored. */
    static String fromHttp(String address) {
        String a = address.strip();
        if (address.startsWith(" ") && DIGITS.matcher(a).matches()) {
            return "+" + a;
        }
        if (a.startsWith("00") && DIGITS.matcher(a).matches()) {
            return "+" + a.substring(2);
        }
        return a;
    }
}
