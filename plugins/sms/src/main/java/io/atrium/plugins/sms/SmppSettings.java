package io.atrium.plugins.sms;

import java.time.Duration;

/**
 * Validated settings of smpp mode.
 *
 * @param sourceAddress the source_addr as sent (a leading '+' removed for TON 1)
 */
record SmppSettings(double ratePerSecond, String host, int port, String systemId, String password, String systemType,
                    String sourceAddress, byte sourceTon, byte sourceNpi, byte destTon, byte destNpi,
                    boolean registeredDelivery, Duration enquireLinkInterval, Duration reconnectDelay)
        implements SmsConfig.Settings {

    /** Where, for messages: never the password. */
    String endpoint() {
        return "smpp://" + systemId + "@" + host + ":" + port;
    }

    @Override
    public String toString() {
        return "SmppSettings[" + endpoint() + ", source " + sourceAddress + " (ton " + sourceTon + ", npi " + sourceNpi
                + "), dest ton " + destTon + " npi " + destNpi + ", registered-delivery " + registeredDelivery + "]";
    }
}
