package io.atrium.server.camel;

import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.HttpEndpointModel;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.PlatformHttpListener;
import org.apache.camel.component.platform.http.springboot.CamelRequestHandlerMapping;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;

/**
 * Camel's Spring Boot platform-http maps a route's path when the route starts but never unmaps it
 * (its unregister is a no-op), so a removed plugin's or route file's path would keep answering
 * 500 from a stopped consumer. This listener takes the mapping away when the consumer goes, so
 * the path answers 404 like any unknown one and can be mapped again by a new version.
 */
@Component
public class HttpRouteUnmapper implements PlatformHttpListener {

    private final CamelContext camel;
    private final CamelRequestHandlerMapping mapping;

    public HttpRouteUnmapper(CamelContext camel, CamelRequestHandlerMapping mapping) {
        this.camel = camel;
        this.mapping = mapping;
    }

    @EventListener(ApplicationReadyEvent.class)
    @Order(-10)
    public void register() {
        camel.getComponent("platform-http", PlatformHttpComponent.class).addPlatformHttpListener(this);
    }

    @Override
    public void registerHttpEndpoint(HttpEndpointModel model) {
        // mapping is done by Camel's own listener
    }

    @Override
    public void unregisterHttpEndpoint(HttpEndpointModel model) {
        for (Map.Entry<RequestMappingInfo, HandlerMethod> e : List.copyOf(mapping.getHandlerMethods().entrySet())) {
            if (e.getValue().getBean() == model.getConsumer()) {
                mapping.unregisterMapping(e.getKey());
            }
        }
    }
}
