package io.atrium.plugin.api;

/**
 * One thing wrong with a plugin's configuration.
 *
 * @param key     the offending key
 * @param message what is wrong and what was expected; never contains a secret value
 */
public record ConfigProblem(String key, String message) {

    @Override
    public String toString() {
        return message;
    }
}
