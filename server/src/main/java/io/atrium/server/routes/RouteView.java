package io.atrium.server.routes;

/**
 * A route, or a route file that failed, as {@code GET /api/v1/routes} shows it.
 *
 * @param id     the route id; null for a file that has no running route because it failed
 * @param file   the YAML file under routes/, or null for a route a plugin added
 * @param plugin the plugin that added the route, or null
 * @param state  STARTED, STOPPED, SUSPENDED (a Camel route's status) or FAILED (a file that did not load)
 * @param error  why the file failed; set on a running route too when the latest edit of its file failed and it runs the previous version
 * @param line   the line of the file the error points at, when known
 * @param column the column, when known
 * @param from   the endpoint the route consumes from
 * @param stats  the route's exchange counts and processing times; null for a file that failed
 */
public record RouteView(String id, String file, String plugin, String state, String error, Integer line, Integer column,
                        String from, RouteStatistics.Stats stats) {
}
