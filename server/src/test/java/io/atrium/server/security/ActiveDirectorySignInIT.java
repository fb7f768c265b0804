package io.atrium.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.Map;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSimpleBindRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.SimpleBindRequest;

import io.atrium.server.config.AtriumProperties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;

/**
 * Active Directory sign-in ({@code atrium.security.ldap.active-directory-domain}) against a real
 * LDAP server on loopback (UnboundID's in-memory one) that answers as AD does for what Spring's
 * ActiveDirectoryLdapAuthenticationProvider asks: a bind as {@code user@domain} (the UPN, mapped
 * here to the user's entry), AD's "data 52e" / "data 533" bind errors, a search by
 * {@code userPrincipalName} under the domain's DN, and groups in the user's {@code memberOf}.
 */
class ActiveDirectorySignInIT {

    private static final String BASE = "DC=corp,DC=example,DC=com";
    private static final String DOMAIN = "corp.example.com";
    private static InMemoryDirectoryServer ad;

    @BeforeAll
    static void startDirectory() throws Exception {
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(), 0, null));
        config.setSchema(null); // AD's user class and attributes (userPrincipalName, memberOf, sAMAccountName)
        config.addInMemoryOperationInterceptor(new UpnBind());
        ad = new InMemoryDirectoryServer(config);
        ad.add("dn: " + BASE, "objectClass: domain", "dc: corp");
        ad.add("dn: OU=Staff," + BASE, "objectClass: organizationalUnit", "ou: Staff");
        ad.add("dn: OU=Groups," + BASE, "objectClass: organizationalUnit", "ou: Groups");
        for (String g : new String[] {"Marketing", "IT-Integration", "Atrium-Admins", "Canteen"}) {
            ad.add("dn: CN=" + g + ",OU=Groups," + BASE, "objectClass: group", "cn: " + g);
        }
        user("alice", "Alice Example", "Marketing");
        user("ivan", "Ivan Example", "IT-Integration", "Atrium-Admins");
        user("bob", "Bob Example", "Canteen");
        user("dora", "Dora Example", "Marketing");
        ad.startListening();
    }

    /** An AD user: {@code CN=<display name>} (not the login name), with a UPN, a sAMAccountName and memberOf. */
    private static void user(String login, String displayName, String... groups) throws Exception {
        String[] lines = new String[8 + groups.length];
        lines[0] = "dn: CN=" + displayName + ",OU=Staff," + BASE;
        lines[1] = "objectClass: top";
        lines[2] = "objectClass: person";
        lines[3] = "objectClass: user";
        lines[4] = "cn: " + displayName;
        lines[5] = "sAMAccountName: " + login;
        lines[6] = "userPrincipalName: " + login + "@" + DOMAIN;
        lines[7] = "userPassword: secret-" + login;
        for (int i = 0; i < groups.length; i++) {
            lines[8 + i] = "memberOf: CN=" + groups[i] + ",OU=Groups," + BASE;
        }
        ad.add(lines);
    }

    /** AD takes a bind as user@domain: find the entry by its UPN and bind as its DN; answer AD's errors. */
    private static final class UpnBind extends InMemoryOperationInterceptor {
        @Override
        public void processSimpleBindRequest(InMemoryInterceptedSimpleBindRequest request) throws LDAPException {
            String name = request.getRequest().getBindDN();
            if (!name.contains("@")) {
                return;
            }
            SearchResultEntry entry = ad.searchForEntry(BASE, SearchScope.SUB, Filter.createEqualityFilter("userPrincipalName", name));
            if (entry == null) {
                throw new LDAPException(ResultCode.INVALID_CREDENTIALS,
                        "80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563");
            }
            if (entry.getAttributeValue("sAMAccountName").equals("dora")) {
                throw new LDAPException(ResultCode.INVALID_CREDENTIALS,
                        "80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 533, v4563");
            }
            request.setRequest(new SimpleBindRequest(entry.getDN(), request.getRequest().getPassword().getValue()));
        }
    }

    @AfterAll
    static void stopDirectory() {
        ad.shutDown(true);
    }

    private static AuthenticationProvider provider(String url) {
        AtriumProperties.Ldap ldap = new AtriumProperties.Ldap();
        ldap.setUrl(url);
        ldap.setActiveDirectoryDomain(DOMAIN);
        ldap.setGroupRoles(Map.of("Atrium-Admins", "admin", "it-integration", "integrator", "marketing", "marketer"));
        return DirectorySignIn.provider(ldap);
    }

    private static String url() {
        return "ldap://127.0.0.1:" + ad.getListenPort() + "/";
    }

    private static Authentication signIn(AuthenticationProvider p, String user, String password) {
        return p.authenticate(UsernamePasswordAuthenticationToken.unauthenticated(user, password));
    }

    private static String role(Authentication a) {
        return a.getAuthorities().stream().map(GrantedAuthority::getAuthority).findFirst().orElseThrow();
    }

    @Test
    void aUserSignsInWithTheirAdNameOrUpnAndGetsTheRoleOfTheirStrongestMappedGroup() {
        AuthenticationProvider p = provider(url());
        Authentication alice = signIn(p, "alice", "secret-alice");
        assertThat(role(alice)).isEqualTo("ROLE_MARKETER");
        assertThat(alice.getAuthorities()).hasSize(1);
        assertThat(alice.getName()).isEqualTo("alice");
        assertThat(alice.getCredentials()).as("the password is not kept").isNull();

        assertThat(role(signIn(p, "alice@corp.example.com", "secret-alice"))).isEqualTo("ROLE_MARKETER");
        assertThat(role(signIn(p, "ivan", "secret-ivan"))).as("Atrium-Admins beats IT-Integration").isEqualTo("ROLE_ADMIN");
    }

    @Test
    void aWrongPasswordAnUnknownUserADisabledAccountAndNoMappedGroupAreRefused() {
        AuthenticationProvider p = provider(url());
        assertThatThrownBy(() -> signIn(p, "alice", "not-her-password")).isInstanceOf(BadCredentialsException.class);
        assertThatThrownBy(() -> signIn(p, "mallory", "secret-mallory")).isInstanceOf(BadCredentialsException.class);
        assertThatThrownBy(() -> signIn(p, "dora", "secret-dora")).isInstanceOf(DisabledException.class)
                .hasMessage("User is disabled");
        assertThatThrownBy(() -> signIn(p, "bob", "secret-bob")).isInstanceOf(DisabledException.class)
                .hasMessageContaining("no Atrium role for your directory groups");
        assertThatThrownBy(() -> signIn(p, "alice", "")).isInstanceOf(BadCredentialsException.class);
    }

    @Test
    void aUrlWithTheBaseDnAsForPlainLdapWorksToo() {
        // atrium.security.ldap.url's own example is ldap://host:389/dc=example,dc=com; an admin may keep that form.
        AuthenticationProvider p = provider("ldap://127.0.0.1:" + ad.getListenPort() + "/" + BASE);
        assertThat(role(signIn(p, "alice", "secret-alice"))).isEqualTo("ROLE_MARKETER");
    }

    @Test
    void aDownLevelLogonNameSignsInAsTheUser() {
        // Windows users often type DOMAIN\\user.
        AuthenticationProvider p = provider(url());
        assertThat(role(signIn(p, "CORP\\alice", "secret-alice"))).isEqualTo("ROLE_MARKETER");
    }
}
