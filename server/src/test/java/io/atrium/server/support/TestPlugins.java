package io.atrium.server.support;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds real PF4J plugin zips inside a test: compiles the given sources against the plugin API
 * (exactly what a connector compiles against), writes the extension index and plugin.properties,
 * and packs {@code plugin.properties + lib/<id>.jar} like the Maven build does.
 */
public final class TestPlugins {

    private TestPlugins() {
    }

    /** Classes whose jars form the compile class path of a plugin. */
    private static final List<Class<?>> API = List.of(
            io.atrium.plugin.api.Connector.class,
            org.pf4j.Extension.class,
            org.apache.camel.CamelContext.class,
            org.apache.camel.builder.RouteBuilder.class,
            org.apache.camel.support.DefaultComponent.class,
            org.apache.camel.util.ObjectHelper.class,
            org.slf4j.Logger.class);

    /**
     * @param sources      fully qualified class name to source text
     * @param extensions   class names to list in META-INF/extensions.idx
     */
    public static Path zip(Path dir, String id, String version, Map<String, String> sources, List<String> extensions)
            throws IOException {
        Path work = Files.createTempDirectory(dir, "build-" + id);
        Path src = work.resolve("src");
        Path classes = work.resolve("classes");
        Files.createDirectories(classes);
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-proc:none", "--release", "17",
                "-classpath", classPath()));
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            args.add(file.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, args.toArray(String[]::new));
        if (rc != 0) {
            throw new IllegalStateException("fixture plugin '" + id + "' did not compile (see the test output)");
        }
        Path idx = classes.resolve("META-INF/extensions.idx");
        Files.createDirectories(idx.getParent());
        Files.writeString(idx, String.join("\n", extensions) + "\n");

        return pack(dir, id, version, jar(classes, work.resolve(id + ".jar")));
    }

    /**
     * A plugin zip of classes built elsewhere (a module's jar, or its {@code target/classes} when
     * Maven did not package it), e.g. a real plugin of this repository on the test class path.
     */
    public static Path zipOf(Path dir, String id, String version, Path classesOrJar) throws IOException {
        Path jar = Files.isDirectory(classesOrJar)
                ? jar(classesOrJar, Files.createTempDirectory(dir, "build-" + id).resolve(id + ".jar")) : classesOrJar;
        return pack(dir, id, version, jar);
    }

    private static Path jar(Path classes, Path jar) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    /** {@code plugin.properties + lib/<id>.jar}, as {@code <id>-<version>.zip.building} in {@code dir}. */
    private static Path pack(Path dir, String id, String version, Path jar) throws IOException {
        Path zip = dir.resolve(id + "-" + version + ".zip.building");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new ZipEntry("plugin.properties"));
            out.write(("plugin.id=" + id + "\nplugin.version=" + version + "\nplugin.provider=Atrium tests\n"
                    + "plugin.description=Test fixture " + id + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            out.putNextEntry(new ZipEntry("lib/" + id + ".jar"));
            Files.copy(jar, out);
            out.closeEntry();
        }
        return zip;
    }

    /** Copies a built zip into a plugins folder atomically, as an admin's {@code mv} would. */
    public static Path install(Path zip, Path pluginsDir, String fileName) throws IOException {
        Path tmp = pluginsDir.resolve("." + fileName + ".tmp");
        Files.copy(zip, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return Files.move(tmp, pluginsDir.resolve(fileName), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : API) {
            try {
                entries.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }
}
