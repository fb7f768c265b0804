package io.atrium.server.intake;

import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * The hub's own Camel component, so YAML routes and plugins can hand work to the hub:
 * <ul>
 *   <li>{@code atrium:events}: the event intake. The body may be an {@code Event}, a list of
 *   them, a {@code Map} or list of maps in the Event's shape, or a JSON text of either.</li>
 * </ul>
 */
public class AtriumComponent extends DefaultComponent {

    private final EventIntake intake;
    private final ObjectMapper mapper;
    private final EventValidator validator;

    public AtriumComponent(EventIntake intake, ObjectMapper mapper, EventValidator validator) {
        this.intake = intake;
        this.mapper = mapper;
        this.validator = validator;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (!"events".equals(remaining)) {
            throw new IllegalArgumentException("unknown atrium endpoint '" + remaining + "' in " + uri
                    + "; known: atrium:events");
        }
        AtriumEndpoint endpoint = new AtriumEndpoint(uri, this, intake, mapper, validator);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
