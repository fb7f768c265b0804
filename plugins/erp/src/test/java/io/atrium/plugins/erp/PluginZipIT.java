package io.atrium.plugins.erp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarInputStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;

/** The zip the package phase built is a PF4J plugin that bundles nothing the hub ships. */
class PluginZipIT {

    static Path zip() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("target"))) {
            return s.filter(p -> p.getFileName().toString().matches("erp-.*\\.zip")).findFirst()
                    .orElseThrow(() -> new AssertionError("target/erp-<version>.zip was not built"));
        }
    }

    @Test
    void itHoldsTheDescriptorTheReadmeAndThePluginsOwnJarOnly() throws Exception {
        Path zip = zip();
        try (ZipFile z = new ZipFile(zip.toFile())) {
            List<String> names = new ArrayList<>();
            z.stream().filter(e -> !e.isDirectory()).forEach(e -> names.add(e.getName()));
            String jarName = "lib/" + zip.getFileName().toString().replace(".zip", ".jar");
            assertThat(names).containsExactlyInAnyOrder("plugin.properties", "README.md", jarName);

            Properties descriptor = new Properties();
            try (InputStream in = z.getInputStream(z.getEntry("plugin.properties"))) {
                descriptor.load(in);
            }
            assertThat(descriptor.getProperty("plugin.id")).isEqualTo("erp");
            assertThat(descriptor.getProperty("plugin.version")).isNotBlank();

            ZipEntry jar = z.getEntry(jarName);
            String index = null;
            List<String> packages = new ArrayList<>();
            try (JarInputStream in = new JarInputStream(z.getInputStream(jar))) {
                for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                    if (e.getName().equals("META-INF/extensions.idx")) {
                        index = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    } else if (e.getName().endsWith(".class")) {
                        packages.add(e.getName().substring(0, e.getName().lastIndexOf('/')));
                    }
                }
            }
            assertThat(index).as("PF4J's extension index").contains(ErpConnector.class.getName());
            assertThat(packages).isNotEmpty().allMatch(p -> p.equals("io/atrium/plugins/erp"));
        }
    }
}
