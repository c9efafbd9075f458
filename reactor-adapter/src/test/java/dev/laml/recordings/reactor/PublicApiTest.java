package dev.laml.recordings.reactor;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The public surface names no Netty, Reactor Netty or Jackson type, so users are never coupled
 * to our transport or parser, and implementation classes live in {@code .internal} packages.
 */
class PublicApiTest {

    private static final List<String> FORBIDDEN = List.of("io.netty.", "reactor.netty.", "com.fasterxml.");

    @Test
    void noPublicSignatureMentionsTransportOrParserTypes() throws Exception {
        List<String> offences = new ArrayList<>();
        for (Class<?> type : publicApiClasses()) {
            check(offences, type.getName() + " extends", type.getGenericSuperclass());
            for (Type t : type.getGenericInterfaces()) {
                check(offences, type.getName() + " implements", t);
            }
            for (Method m : type.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers())) {
                    String where = type.getName() + "." + m.getName();
                    check(offences, where, m.getGenericReturnType());
                    for (Type p : m.getGenericParameterTypes()) {
                        check(offences, where, p);
                    }
                }
            }
            for (Constructor<?> c : type.getDeclaredConstructors()) {
                if (Modifier.isPublic(c.getModifiers()) || Modifier.isProtected(c.getModifiers())) {
                    for (Type p : c.getGenericParameterTypes()) {
                        check(offences, type.getName() + ".<init>", p);
                    }
                }
            }
        }
        assertThat(offences).isEmpty();
    }

    @Test
    void theScanSeesBothModules() throws Exception {
        assertThat(publicApiClasses()).extracting(Class::getName)
                .contains("dev.laml.recordings.reactor.RecordingsClient", "dev.laml.recordings.Recording",
                        "dev.laml.recordings.protocol.RecordingsProtocol");
    }

    private static void check(List<String> offences, String where, Type type) {
        if (type == null) {
            return;
        }
        String name = type.getTypeName();
        for (String prefix : FORBIDDEN) {
            if (name.contains(prefix)) {
                offences.add(where + " -> " + name);
            }
        }
    }

    private static List<Class<?>> publicApiClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        List<Class<?>> out = new ArrayList<>();
        for (Class<?> anchor : new Class<?>[] {RecordingsClient.class, dev.laml.recordings.Recording.class}) {
            Path root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            List<Path> files;
            if (Files.isDirectory(root)) {
                try (Stream<Path> s = Files.walk(root)) {
                    files = s.filter(p -> p.toString().endsWith(".class")).toList();
                }
                for (Path f : files) {
                    String name = root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                    if (name.contains(".internal.") || name.endsWith("package-info") || name.equals("module-info")) {
                        continue;
                    }
                    Class<?> c = Class.forName(name, false, anchor.getClassLoader());
                    if (Modifier.isPublic(c.getModifiers())) {
                        out.add(c);
                    }
                }
            } else {
                try (var jar = new java.util.jar.JarFile(root.toFile())) {
                    for (var e : java.util.Collections.list(jar.entries())) {
                        String n = e.getName();
                        if (n.endsWith(".class") && !n.contains("/internal/") && !n.endsWith("package-info.class")
                                && !n.equals("module-info.class")) {
                            Class<?> c = Class.forName(n.replace('/', '.').replaceAll("\\.class$", ""), false,
                                    anchor.getClassLoader());
                            if (Modifier.isPublic(c.getModifiers())) {
                                out.add(c);
                            }
                        }
                    }
                }
            }
        }
        return out;
    }
}
