package io.atrium.server.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.atrium.server.config.AtriumProperties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.ldap.DefaultSpringSecurityContextSource;
import org.springframework.security.ldap.authentication.BindAuthenticator;
import org.springframework.security.ldap.authentication.LdapAuthenticationProvider;
import org.springframework.security.ldap.authentication.ad.ActiveDirectoryLdapAuthenticationProvider;
import org.springframework.security.ldap.search.FilterBasedLdapUserSearch;
import org.springframework.security.ldap.userdetails.DefaultLdapAuthoritiesPopulator;

/**
 * Sign-in against a directory (Spring Security's LDAP support): plain LDAP with a bind by DN
 * pattern or a search, or Active Directory. A user's Atrium role is that of the strongest of their
 * groups in {@code group-roles}, or {@code default-role}; with neither, the sign-in is refused.
 */
final class DirectorySignIn {

    private static final Logger log = LoggerFactory.getLogger(DirectorySignIn.class);

    private DirectorySignIn() {
    }

    /** The provider for the configuration, or null when no directory is configured. */
    static AuthenticationProvider provider(AtriumProperties.Ldap ldap) {
        if (ldap.getUrl() == null || ldap.getUrl().isBlank()) {
            return null;
        }
        Map<String, Role> groupRoles = groupRoles(ldap);
        Optional<Role> defaultRole = ldap.getDefaultRole() == null || ldap.getDefaultRole().isBlank()
                ? Optional.empty() : Optional.of(Role.parse(ldap.getDefaultRole()).orElseThrow(() -> new IllegalStateException(
                "atrium.security.ldap.default-role: '" + ldap.getDefaultRole() + "' is not one of admin, integrator, marketer, viewer")));
        AuthenticationProvider inner;
        if (ldap.getActiveDirectoryDomain() != null && !ldap.getActiveDirectoryDomain().isBlank()) {
            AdUrl url = AdUrl.parse(ldap.getUrl());
            String domain = ldap.getActiveDirectoryDomain().strip();
            // Spring's provider searches under the domain's DN relative to the URL: a base DN in the URL (as
            // for plain LDAP) would be searched twice over, and every sign-in refused as "Bad credentials".
            ActiveDirectoryLdapAuthenticationProvider ad = url.baseDn() == null
                    ? new ActiveDirectoryLdapAuthenticationProvider(domain, url.servers())
                    : new ActiveDirectoryLdapAuthenticationProvider(domain, url.servers(), url.baseDn());
            ad.setConvertSubErrorCodesToExceptions(true);
            inner = new DownLevelLogonName(ad);
            log.info("Directory sign-in: Active Directory {} at {}{}", domain, url.servers(),
                    url.baseDn() == null ? "" : " (users searched under " + url.baseDn() + ")");
        } else {
            DefaultSpringSecurityContextSource source = new DefaultSpringSecurityContextSource(ldap.getUrl().strip());
            if (!ldap.getManagerDn().isBlank()) {
                source.setUserDn(ldap.getManagerDn());
                source.setPassword(ldap.getManagerPassword());
            }
            source.afterPropertiesSet();
            BindAuthenticator bind = new BindAuthenticator(source);
            if (!ldap.getUserDnPattern().isBlank()) {
                bind.setUserDnPatterns(new String[] {ldap.getUserDnPattern()});
            } else {
                bind.setUserSearch(new FilterBasedLdapUserSearch(ldap.getUserSearchBase(), ldap.getUserSearchFilter(), source));
            }
            DefaultLdapAuthoritiesPopulator groups = new DefaultLdapAuthoritiesPopulator(source, ldap.getGroupSearchBase());
            groups.setGroupSearchFilter(ldap.getGroupSearchFilter());
            groups.setGroupRoleAttribute("cn");
            groups.setRolePrefix("");
            groups.setConvertToUpperCase(false);
            groups.setSearchSubtree(true);
            inner = new LdapAuthenticationProvider(bind, groups);
            log.info("Directory sign-in: LDAP at {} ({} mapped groups)", ldap.getUrl(), groupRoles.size());
        }
        return new RoleMapping(inner, groupRoles, defaultRole);
    }

    /** An AD URL (or several, space-separated) split into its servers and the base DN in its path, if any. */
    record AdUrl(String servers, String baseDn) {
        static AdUrl parse(String url) {
            List<String> servers = new ArrayList<>();
            String base = null;
            for (String u : url.strip().split("\\s+")) {
                int scheme = u.indexOf("://");
                int slash = scheme < 0 ? -1 : u.indexOf('/', scheme + 3);
                if (slash < 0) {
                    servers.add(u + "/");
                    continue;
                }
                String path = java.net.URLDecoder.decode(u.substring(slash + 1), java.nio.charset.StandardCharsets.UTF_8).strip();
                if (!path.isEmpty() && base == null) {
                    base = path;
                }
                servers.add(u.substring(0, slash + 1));
            }
            return new AdUrl(String.join(" ", servers), base);
        }
    }

    /**
     * Takes a down-level logon name ({@code CORP\alice}, as Windows users often type it) as the
     * user name after the backslash, which the AD provider then binds as {@code alice@<domain>}.
     */
    private record DownLevelLogonName(AuthenticationProvider ad) implements AuthenticationProvider {
        @Override
        public Authentication authenticate(Authentication authentication) {
            String name = authentication.getName();
            int slash = name == null ? -1 : name.lastIndexOf('\\');
            if (slash < 0) {
                return ad.authenticate(authentication);
            }
            return ad.authenticate(UsernamePasswordAuthenticationToken.unauthenticated(name.substring(slash + 1),
                    authentication.getCredentials()));
        }

        @Override
        public boolean supports(Class<?> authentication) {
            return ad.supports(authentication);
        }
    }

    private static Map<String, Role> groupRoles(AtriumProperties.Ldap ldap) {
        Map<String, Role> out = new java.util.HashMap<>();
        ldap.getGroupRoles().forEach((group, role) -> out.put(group.toLowerCase(Locale.ROOT), Role.parse(role).orElseThrow(() ->
                new IllegalStateException("atrium.security.ldap.group-roles." + group + ": '" + role
                        + "' is not one of admin, integrator, marketer, viewer"))));
        return out;
    }

    /** Turns directory groups into one Atrium role. */
    private record RoleMapping(AuthenticationProvider inner, Map<String, Role> groupRoles, Optional<Role> defaultRole)
            implements AuthenticationProvider {

        @Override
        public Authentication authenticate(Authentication authentication) {
            Authentication signedIn = inner.authenticate(authentication);
            if (signedIn == null) {
                return null;
            }
            Role best = null;
            for (GrantedAuthority group : signedIn.getAuthorities()) {
                String name = group.getAuthority();
                if (name == null) {
                    continue;
                }
                // AD gives the group's cn; a full DN is reduced to its first cn
                String cn = name.regionMatches(true, 0, "cn=", 0, 3) ? name.substring(3).split(",", 2)[0] : name;
                Role r = groupRoles.get(cn.toLowerCase(Locale.ROOT));
                if (r != null && (best == null || r.ordinal() < best.ordinal())) {
                    best = r;
                }
            }
            Role role = best != null ? best : defaultRole.orElseThrow(() -> new DisabledException(
                    "no Atrium role for your directory groups: ask an admin to map one of them (atrium.security.ldap.group-roles)"));
            Collection<GrantedAuthority> authorities = new ArrayList<>(List.of(role.authority()));
            UsernamePasswordAuthenticationToken out = UsernamePasswordAuthenticationToken.authenticated(
                    signedIn.getPrincipal(), null, authorities);
            out.setDetails(signedIn.getDetails());
            return out;
        }

        @Override
        public boolean supports(Class<?> authentication) {
            return inner.supports(authentication);
        }
    }
}
