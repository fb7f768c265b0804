package io.atrium.plugins.viber;

import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * The {@code viber:} Camel component: {@code viber:send?receiver=<viber user id>} sends the
 * exchange's body as a text message through the plugin's Viber client. An unknown operation or
 * option is an error when the route starts.
 *
 * <p>This goes straight to Viber: it bypasses the hub's consent check and message record. The
 * recorded way to message a person is the hub's {@code atrium:send} endpoint.
 */
final class ViberComponent extends DefaultComponent {

    static final String SEND = "send";

    private final ViberClient client;

    ViberComponent(ViberClient client) {
        this.client = client;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (!SEND.equals(remaining)) {
            throw new IllegalArgumentException("viber: unknown operation '" + remaining + "' in " + uri
                    + "; the only operation is 'send' (viber:send?receiver=<viber user id>)");
        }
        ViberEndpoint endpoint = new ViberEndpoint(uri, this, client);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
