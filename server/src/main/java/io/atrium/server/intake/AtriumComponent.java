package io.atrium.server.intake;

import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.server.message.Messages;
import io.atrium.server.message.SendEndpoint;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * The hub's own Camel component, so YAML routes and plugins can hand work to the hub:
 * <ul>
 *   <li>{@code atrium:events}: the event intake. The body may be an {@code Event}, a list of
 *   them, a {@code Map} or list of maps in the Event's shape, or a JSON text of either.</li>
 *   <li>{@code atrium:send?channel=&template=&purpose=}: sends a message through the hub's message
 *   service (consent, template, record, outbound queue), see {@link SendEndpoint}.</li>
 *   <li>{@code from: atrium:segment-events?subscription=name}: segment entries and exits, see
 *   {@link io.atrium.server.segment.SegmentEventsEndpoint}.</li>
 * </ul>
 */
public class AtriumComponent extends DefaultComponent {

    private final EventIntake intake;
    private final ObjectMapper mapper;
    private final EventValidator validator;
    private final Supplier<Messages> messages;
    private final java.util.function.BiFunction<String, AtriumComponent, io.atrium.server.segment.SegmentEventsEndpoint> segmentEvents;

    public AtriumComponent(EventIntake intake, ObjectMapper mapper, EventValidator validator, Supplier<Messages> messages,
                           java.util.function.BiFunction<String, AtriumComponent, io.atrium.server.segment.SegmentEventsEndpoint> segmentEvents) {
        this.segmentEvents = segmentEvents;
        this.intake = intake;
        this.mapper = mapper;
        this.validator = validator;
        this.messages = messages;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if ("segment-events".equals(remaining)) {
            io.atrium.server.segment.SegmentEventsEndpoint endpoint = segmentEvents.apply(uri, this);
            setProperties(endpoint, parameters);
            return endpoint;
        }
        if ("send".equals(remaining)) {
            SendEndpoint endpoint = new SendEndpoint(uri, this, messages, mapper);
            setProperties(endpoint, parameters);
            return endpoint;
        }
        if (!"events".equals(remaining)) {
            throw new IllegalArgumentException("unknown atrium endpoint '" + remaining + "' in " + uri
                    + "; known: atrium:events, atrium:send, atrium:segment-events");
        }
        AtriumEndpoint endpoint = new AtriumEndpoint(uri, this, intake, mapper, validator);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
