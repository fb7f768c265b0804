package io.atrium.server.db;


import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import io.atrium.server.config.AtriumProperties;
import io.atrium.server.config.DataDirectory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The hub's one DataSource: the external PostgreSQL named by {@code ATRIUM_DB_URL}, or the
 * embedded one under the data directory.
 */
@Configuration(proxyBeanMethods = false)
public class DatabaseConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnExpression("'${atrium.db.url:}'.isBlank()")
    EmbeddedDatabase embeddedDatabase(AtriumProperties properties, DataDirectory data) {
        return EmbeddedDatabase.start(data.root(), data.dir("postgres-runtime"), properties.getDb().getEmbeddedPort(),
                EmbeddedDatabase.settings(properties.getDb().getEmbeddedSettings()));
    }

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(AtriumProperties properties, ObjectProvider<EmbeddedDatabase> embedded) {
        AtriumProperties.Db db = properties.getDb();
        HikariConfig config = new HikariConfig();
        config.setPoolName("atrium");
        config.setMaximumPoolSize(db.getPoolSize());
        if (db.isExternal()) {
            config.setJdbcUrl(db.getUrl());
            config.setUsername(db.getUser());
            config.setPassword(db.getPassword());
        } else {
            EmbeddedDatabase pg = embedded.getObject();
            config.setJdbcUrl(pg.jdbcUrl());
            config.setUsername("postgres");
        }
        return new HikariDataSource(config);
    }

}
