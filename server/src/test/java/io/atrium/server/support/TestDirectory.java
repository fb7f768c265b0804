package io.atrium.server.support;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;

/**
 * A real LDAP directory (UnboundID's in-memory server on loopback) for the directory sign-in:
 * dc=example,dc=com with people alice (group marketing), ivan (group it-integration) and bob (no
 * group), every password "secret-" + name.
 */
public final class TestDirectory {

    public static final String BASE = "dc=example,dc=com";
    private static InMemoryDirectoryServer server;

    private TestDirectory() {
    }

    public static synchronized String url() {
        if (server == null) {
            try {
                InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
                config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", java.net.InetAddress.getLoopbackAddress(), 0, null));
                config.setSchema(null);
                InMemoryDirectoryServer s = new InMemoryDirectoryServer(config);
                s.add("dn: " + BASE, "objectClass: domain", "dc: example");
                s.add("dn: ou=people," + BASE, "objectClass: organizationalUnit", "ou: people");
                s.add("dn: ou=groups," + BASE, "objectClass: organizationalUnit", "ou: groups");
                for (String name : new String[] {"alice", "ivan", "bob"}) {
                    s.add("dn: uid=" + name + ",ou=people," + BASE, "objectClass: inetOrgPerson", "uid: " + name,
                            "cn: " + name, "sn: " + name, "userPassword: secret-" + name);
                }
                s.add("dn: cn=marketing,ou=groups," + BASE, "objectClass: groupOfNames", "cn: marketing",
                        "member: uid=alice,ou=people," + BASE);
                s.add("dn: cn=it-integration,ou=groups," + BASE, "objectClass: groupOfNames", "cn: it-integration",
                        "member: uid=ivan,ou=people," + BASE);
                s.startListening();
                server = s;
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the in-memory LDAP server: " + e.getMessage(), e);
            }
        }
        return "ldap://127.0.0.1:" + server.getListenPort() + "/" + BASE;
    }
}
