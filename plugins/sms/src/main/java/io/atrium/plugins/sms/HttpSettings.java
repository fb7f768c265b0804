package io.atrium.plugins.sms;

import java.time.Duration;

/** Validated settings of http mode. */
record HttpSettings(double ratePerSecond, Template url, String method, Template body, String contentType, String auth,
                    String username, String password, String token, AcceptedStatus accepted, ProviderId providerId,
                    Duration timeout, String callbackPath, String inboundPath, String callbackToken, String from)
        implements SmsConfig.Settings {

    @Override
    public String toString() {
        // The templates may carry literal credentials; show neither them nor the secrets.
        return "HttpSettings[" + method + ", auth " + auth + ", accepted " + accepted + ", callback " + callbackPath
                + ", inbound " + inboundPath + "]";
    }
}
