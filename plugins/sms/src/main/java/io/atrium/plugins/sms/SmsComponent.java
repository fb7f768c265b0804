package io.atrium.plugins.sms;

import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code sms:send?to=+380501112233}: sends the body as an SMS through the plugin's configured
 * provider, directly. It bypasses the hub: no consent check, no message record, no retries or pacing;
 * the hub's {@code atrium:send} endpoint is the recorded way to message a person.
 */
final class SmsComponent extends DefaultComponent {

    private final SmsGateway gateway;

    SmsComponent(SmsGateway gateway) {
        this.gateway = gateway;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (!"send".equals(remaining)) {
            throw new IllegalArgumentException("sms: unknown operation '" + remaining + "' in " + uri
                    + "; the component has one, sms:send?to=+<E.164 number>");
        }
        SmsEndpoint endpoint = new SmsEndpoint(uri, this, gateway);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
