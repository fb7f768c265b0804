package io.atrium.server.config;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Everything under {@code atrium.*}. Each key also reads from its environment variable by
 * Spring's relaxed binding: {@code atrium.db.url} from {@code ATRIUM_DB_URL}, and so on.
 */
@ConfigurationProperties("atrium")
public class AtriumProperties {

    /** The installation directory: plugins/, routes/ and config/ live under it. */
    private Path home = Path.of(".");
    /** Where the embedded PostgreSQL, the broker journal and generated secrets are kept. */
    private Path data;
    /**
     * The hub's external base URL, as people and providers reach it: links in messages (unsubscribe,
     * open pixel, clicks) and providers' webhooks are built on it. Default {@code http://localhost:<port>}.
     */
    private String publicUrl;
    private final Plugins plugins = new Plugins();
    private final Routes routes = new Routes();
    private final Security security = new Security();
    private final Db db = new Db();
    private final Broker broker = new Broker();
    private final Cluster cluster = new Cluster();

    public Path getHome() { return home; }
    public void setHome(Path home) { this.home = home; }
    public Path getData() { return data != null ? data : home.resolve("data"); }
    public void setData(Path data) { this.data = data; }
    public String getPublicUrl() { return publicUrl; }
    public void setPublicUrl(String publicUrl) { this.publicUrl = publicUrl; }
    public Plugins getPlugins() { return plugins; }
    public Routes getRoutes() { return routes; }
    public Security getSecurity() { return security; }
    public Db getDb() { return db; }
    public Broker getBroker() { return broker; }
    public Cluster getCluster() { return cluster; }

    public Path pluginsDir() { return plugins.dir != null ? plugins.dir : home.resolve("plugins"); }
    public Path pluginConfigDir() { return plugins.configDir != null ? plugins.configDir : home.resolve("config").resolve("plugins"); }
    public Path routesDir() { return routes.dir != null ? routes.dir : home.resolve("routes"); }

    public static class Plugins {
        /** Folder watched for plugin zips; default {@code $ATRIUM_HOME/plugins}. */
        private Path dir;
        /** Folder of per-plugin configuration files {@code <plugin-id>.yml}; default {@code $ATRIUM_HOME/config/plugins}. */
        private Path configDir;
        /** How often the folders are checked for added, changed and removed files. */
        private Duration scanInterval = Duration.ofSeconds(1);
        /** Longest a connector may take to start or stop. */
        private Duration startTimeout = Duration.ofSeconds(30);

        public Path getDir() { return dir; }
        public void setDir(Path dir) { this.dir = dir; }
        public Path getConfigDir() { return configDir; }
        public void setConfigDir(Path configDir) { this.configDir = configDir; }
        public Duration getScanInterval() { return scanInterval; }
        public void setScanInterval(Duration scanInterval) { this.scanInterval = scanInterval; }
        public Duration getStartTimeout() { return startTimeout; }
        public void setStartTimeout(Duration startTimeout) { this.startTimeout = startTimeout; }
    }

    /** Several hub nodes on one PostgreSQL and broker (docs/configuration.md#running-several-hubs). */
    public static class Cluster {
        /** This node's name in leases and logs; default host name, process id and a random suffix. */
        private String nodeName;
        /**
         * How long a plugin's lease ({@code ConnectorContext.lease}) stays with a node that stopped
         * renewing it; the holder renews every third of it. Another node takes over within about this.
         */
        private Duration leaseTtl = Duration.ofSeconds(15);

        public String getNodeName() { return nodeName; }
        public void setNodeName(String nodeName) { this.nodeName = nodeName; }
        public Duration getLeaseTtl() { return leaseTtl; }
        public void setLeaseTtl(Duration leaseTtl) { this.leaseTtl = leaseTtl; }
    }

    public static class Routes {
        /** Folder of Camel YAML DSL routes; default {@code $ATRIUM_HOME/routes}. */
        private Path dir;
        private Duration scanInterval = Duration.ofSeconds(1);

        public Path getDir() { return dir; }
        public void setDir(Path dir) { this.dir = dir; }
        public Duration getScanInterval() { return scanInterval; }
        public void setScanInterval(Duration scanInterval) { this.scanInterval = scanInterval; }
    }

    public static class Security {
        /** Bearer token for /api/v1; when empty one is generated on first start and kept in the data directory. */
        private String adminToken;

        /**
         * Password of the console user {@code admin} created on the first start when there are no
         * users; when empty a random one is generated and printed once in the log.
         */
        private String adminPassword;
        /** Sign-in with a directory (LDAP or Active Directory) besides the local users; off while {@code url} is empty. */
        private final Ldap ldap = new Ldap();

        public String getAdminToken() { return adminToken; }
        public void setAdminToken(String adminToken) { this.adminToken = adminToken; }
        public String getAdminPassword() { return adminPassword; }
        public void setAdminPassword(String adminPassword) { this.adminPassword = adminPassword; }
        public Ldap getLdap() { return ldap; }
    }

    /** Directory sign-in (docs/console.md#ldap): who may sign in and which role each group gives. */
    public static class Ldap {
        /** ldap://host:389/dc=example,dc=com (or ldaps://); empty = no directory sign-in. */
        private String url = "";
        /** Active Directory domain (example.com): sign-in as user@domain, groups from memberOf. */
        private String activeDirectoryDomain = "";
        /** Bind directly as this DN pattern, relative to the URL's base ({0} = user name), e.g. uid={0},ou=people. */
        private String userDnPattern = "";
        /** Or search for the user under this base with this filter, bound as the manager. */
        private String userSearchBase = "";
        private String userSearchFilter = "(uid={0})";
        private String managerDn = "";
        private String managerPassword = "";
        /** Where groups are searched; {0} in the filter is the user's DN, {1} the user name. */
        private String groupSearchBase = "ou=groups";
        private String groupSearchFilter = "(member={0})";
        /** Group name (its cn) to Atrium role (admin, integrator, marketer, viewer). */
        private java.util.Map<String, String> groupRoles = new java.util.LinkedHashMap<>();
        /** Role of a directory user in none of the mapped groups; empty = such a user cannot sign in. */
        private String defaultRole = "";

        public String getUrl() { return url; }
        public void setUrl(String url) { this.url = url; }
        public String getActiveDirectoryDomain() { return activeDirectoryDomain; }
        public void setActiveDirectoryDomain(String activeDirectoryDomain) { this.activeDirectoryDomain = activeDirectoryDomain; }
        public String getUserDnPattern() { return userDnPattern; }
        public void setUserDnPattern(String userDnPattern) { this.userDnPattern = userDnPattern; }
        public String getUserSearchBase() { return userSearchBase; }
        public void setUserSearchBase(String userSearchBase) { this.userSearchBase = userSearchBase; }
        public String getUserSearchFilter() { return userSearchFilter; }
        public void setUserSearchFilter(String userSearchFilter) { this.userSearchFilter = userSearchFilter; }
        public String getManagerDn() { return managerDn; }
        public void setManagerDn(String managerDn) { this.managerDn = managerDn; }
        public String getManagerPassword() { return managerPassword; }
        public void setManagerPassword(String managerPassword) { this.managerPassword = managerPassword; }
        public String getGroupSearchBase() { return groupSearchBase; }
        public void setGroupSearchBase(String groupSearchBase) { this.groupSearchBase = groupSearchBase; }
        public String getGroupSearchFilter() { return groupSearchFilter; }
        public void setGroupSearchFilter(String groupSearchFilter) { this.groupSearchFilter = groupSearchFilter; }
        public java.util.Map<String, String> getGroupRoles() { return groupRoles; }
        public void setGroupRoles(java.util.Map<String, String> groupRoles) { this.groupRoles = groupRoles; }
        public String getDefaultRole() { return defaultRole; }
        public void setDefaultRole(String defaultRole) { this.defaultRole = defaultRole; }
    }

    public static class Db {
        /** JDBC URL of an external PostgreSQL; when empty the embedded one is started. */
        private String url;
        private String user;
        private String password;
        /** Port of the embedded PostgreSQL (loopback only); 0 picks a free one. */
        private int embeddedPort = 0;
        /**
         * Extra settings of the embedded PostgreSQL, {@code name=value} separated by semicolons, e.g.
         * {@code shared_buffers=256MB; shared_preload_libraries=pg_stat_statements}; see docs/configuration.md.
         */
        private String embeddedSettings = "";
        private int poolSize = 10;

        public String getUrl() { return url; }
        public void setUrl(String url) { this.url = url; }
        public String getUser() { return user; }
        public void setUser(String user) { this.user = user; }
        public String getPassword() { return password; }
        public void setPassword(String password) { this.password = password; }
        public int getEmbeddedPort() { return embeddedPort; }
        public void setEmbeddedPort(int embeddedPort) { this.embeddedPort = embeddedPort; }
        public String getEmbeddedSettings() { return embeddedSettings; }
        public void setEmbeddedSettings(String embeddedSettings) { this.embeddedSettings = embeddedSettings; }
        public int getPoolSize() { return poolSize; }
        public void setPoolSize(int poolSize) { this.poolSize = poolSize; }
        public boolean isExternal() { return url != null && !url.isBlank(); }
    }

    public static class Broker {
        /** URL of an external Artemis broker (tcp://host:61616); when empty the embedded broker runs. */
        private String url;
        private String user;
        private String password;

        public String getUrl() { return url; }
        public void setUrl(String url) { this.url = url; }
        public String getUser() { return user; }
        public void setUser(String user) { this.user = user; }
        public String getPassword() { return password; }
        public void setPassword(String password) { this.password = password; }
        public boolean isExternal() { return url != null && !url.isBlank(); }
    }
}
