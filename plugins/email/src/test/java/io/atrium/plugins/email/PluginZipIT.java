package io.atrium.plugins.email;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

import org.junit.jupiter.api.Test;

/** The zip the package phase built is a PF4J plugin with nothing in it the hub already ships. */
class PluginZipIT {

    private static Path zip() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("email-.*\\.zip")).findFirst()
                    .orElseThrow(() -> new AssertionError("target/email-<version>.zip was not built"));
        }
    }

    @Test
    void holdsTheDescriptorTheReadmeAndOnlyThePluginsOwnJar() throws Exception {
        try (ZipFile zip = new ZipFile(zip().toFile())) {
            List<String> names = new ArrayList<>();
            zip.stream().filter(e -> !e.isDirectory()).forEach(e -> names.add(e.getName()));
            assertThat(names).containsExactlyInAnyOrder("plugin.properties", "README.md",
                    "lib/" + zip().getFileName().toString().replace(".zip", ".jar"));

            Properties descriptor = new Properties();
            try (InputStream in = zip.getInputStream(zip.getEntry("plugin.properties"))) {
                descriptor.load(in);
            }
            assertThat(descriptor.getProperty("plugin.id")).isEqualTo("email");
            assertThat(descriptor.getProperty("plugin.version")).isNotBlank();

            ZipEntry jar = zip.stream().filter(e -> !e.isDirectory() && e.getName().startsWith("lib/")).findFirst().orElseThrow();
            byte[] jarBytes;
            try (InputStream in = zip.getInputStream(jar)) {
                jarBytes = in.readAllBytes();
            }
            String index = null;
            List<String> packages = new ArrayList<>();
            try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(jarBytes))) {
                for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                    if (e.getName().equals("META-INF/extensions.idx")) {
                        index = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    } else if (e.getName().endsWith(".class")) {
                        packages.add(e.getName().substring(0, e.getName().lastIndexOf('/')));
                    }
                }
            }
            assertThat(index).contains(EmailConnector.class.getName());
            assertThat(packages).containsOnly("io/atrium/plugins/email");
        }
    }
}
