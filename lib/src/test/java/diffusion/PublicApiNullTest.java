package diffusion;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TypeParameterTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.JavacTask;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.lang.reflect.RecordComponent;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every public constructor and public static factory (a public static method returning a type of the library) of
 * every public class in lib/src/main/java refuses null in each reference parameter at once: given null there and
 * a non-null stand-in everywhere else (a proxy for an interface, an instance whose constructor never ran for a class,
 * an empty array, a plausible primitive), the call throws IllegalArgumentException or NullPointerException whose
 * message names the parameter. A stand-in is never usable, so a constructor that works with one argument before it
 * has checked the others for null fails too. The classes are found on the class path and the parameter names read
 * from the sources (the build does not keep them), so a new class is covered without being listed here.
 */
class PublicApiNullTest {

    /** Parameters whose null has a documented meaning, "Class#member(parameter)", each with its Javadoc's reason. */
    private static final Set<String> NULLABLE = Set.of(
            "train.TrainingConfig#<init>(checkpoint)", // null: no checkpoints
            "report.McmcComparison#table(floor)", // null: no floor row
            "report.ImageSamplerStudy#table(floor)", // null: no floor row
            "report.ImageSamplerStudy$Entry#<init>(shown)", // null when no samples are kept
            "report.Parameters#of(overrides)"); // null or blank: no overrides

    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_]");

    /** One reference parameter of one public constructor or factory. */
    private record Probe(String key, Executable executable, int index, String parameter) {
    }

    private static Path classes() throws URISyntaxException {
        return Path.of(Arguments.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static Path sources() throws URISyntaxException {
        return classes().resolve("../../src/main/java").normalize();
    }

    /** Parameter names by "binary class name#name(simple erased types)", read from the source trees. */
    private static Map<String, List<String>> parameterNames() throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(sources())) {
            files = walk.filter(p -> p.toString().endsWith(".java")).toList();
        }
        Map<String, List<String>> names = new HashMap<>();
        try (StandardJavaFileManager fileManager = javac.getStandardFileManager(null, null, null)) {
            JavacTask task = (JavacTask) javac.getTask(null, fileManager, null, List.of("-proc:none"), null,
                    fileManager.getJavaFileObjectsFromPaths(files));
            for (CompilationUnitTree unit : task.parse()) {
                String pkg = unit.getPackageName() == null ? "" : unit.getPackageName() + ".";
                for (Tree type : unit.getTypeDecls()) {
                    if (type instanceof ClassTree c) {
                        collect(pkg + c.getSimpleName(), c, Map.of(), names);
                    }
                }
            }
        }
        return names;
    }

    private static void collect(String binaryName, ClassTree type, Map<String, String> typeVariables,
            Map<String, List<String>> names) {
        Map<String, String> classVariables = withVariables(typeVariables, type.getTypeParameters());
        for (Tree member : type.getMembers()) {
            if (member instanceof ClassTree nested) {
                collect(binaryName + "$" + nested.getSimpleName(), nested, classVariables, names);
            } else if (member instanceof MethodTree method) {
                Map<String, String> variables = withVariables(classVariables, method.getTypeParameters());
                List<String> types = new ArrayList<>();
                List<String> parameters = new ArrayList<>();
                for (VariableTree p : method.getParameters()) {
                    types.add(erased(p.getType().toString(), variables));
                    parameters.add(p.getName().toString());
                }
                names.put(binaryName + "#" + method.getName() + "(" + String.join(",", types) + ")", parameters);
            }
        }
    }

    /** outer's type variables and those declared, each mapped to its erasure (its first bound, or Object). */
    private static Map<String, String> withVariables(Map<String, String> outer, List<? extends TypeParameterTree> declared) {
        Map<String, String> variables = new HashMap<>(outer);
        for (TypeParameterTree p : declared) {
            variables.put(p.getName().toString(), p.getBounds().isEmpty() ? "Object" : erased(p.getBounds().get(0).toString(), variables));
        }
        return variables;
    }

    /** "java.util.List<Foo>" as "List", "double..." as "double[]", a type variable as its erasure. */
    private static String erased(String type, Map<String, String> variables) {
        String dims = "";
        String base = type.replaceAll("@\\S+\\s+", "");
        while (true) {
            if (base.endsWith("[]")) {
                dims += "[]";
                base = base.substring(0, base.length() - 2).trim();
            } else if (base.endsWith("...")) {
                dims += "[]";
                base = base.substring(0, base.length() - 3).trim();
            } else {
                break;
            }
        }
        int generic = base.indexOf('<');
        if (generic >= 0) {
            base = base.substring(0, generic);
        }
        base = base.substring(base.lastIndexOf('.') + 1);
        return variables.getOrDefault(base, base) + dims;
    }

    private static String key(Executable e) {
        String name = e instanceof Constructor<?> ? "<init>" : e.getName();
        String types = Stream.of(e.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.joining(","));
        return e.getDeclaringClass().getName() + "#" + name + "(" + types + ")";
    }

    private static String member(Executable e, String parameter) {
        String owner = e.getDeclaringClass().getName().substring("diffusion.".length());
        return owner + "#" + (e instanceof Constructor<?> ? "<init>" : e.getName()) + "(" + parameter + ")";
    }

    private static boolean isPublicApi(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers())) {
                return false;
            }
        }
        return !c.isAnonymousClass() && !c.isLocalClass() && !c.isSynthetic()
                && (c.getEnclosingClass() == null || Modifier.isStatic(c.getModifiers()) || c.isInterface());
    }

    private static boolean isFactory(Method m, Class<?> owner) {
        Class<?> r = m.getReturnType();
        while (r.isArray()) {
            r = r.getComponentType();
        }
        return Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()) && !m.isSynthetic()
                && r.getName().startsWith("diffusion.") && !(owner.isEnum() && m.getName().equals("valueOf"));
    }

    private static List<Class<?>> publicClasses() throws Exception {
        Path root = classes();
        List<Class<?>> found = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root.resolve("diffusion"))) {
            for (Path p : walk.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                String name = root.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> c = Class.forName(name, false, PublicApiNullTest.class.getClassLoader());
                if (isPublicApi(c)) {
                    found.add(c);
                }
            }
        }
        return found;
    }

    private static List<Probe> probes() throws Exception {
        Map<String, List<String>> names = parameterNames();
        List<Probe> probes = new ArrayList<>();
        for (Class<?> c : publicClasses()) {
            List<Executable> executables = new ArrayList<>();
            if (!Modifier.isAbstract(c.getModifiers()) && !c.isEnum()) {
                for (Constructor<?> k : c.getDeclaredConstructors()) {
                    if (Modifier.isPublic(k.getModifiers()) && !k.isSynthetic()) {
                        executables.add(k);
                    }
                }
            }
            for (Method m : c.getDeclaredMethods()) {
                if (isFactory(m, c)) {
                    executables.add(m);
                }
            }
            for (Executable e : executables) {
                Class<?>[] types = e.getParameterTypes();
                if (Stream.of(types).allMatch(Class::isPrimitive)) {
                    continue;
                }
                List<String> parameters = parameterNames(e, names);
                for (int i = 0; i < types.length; i++) {
                    if (!types[i].isPrimitive()) {
                        probes.add(new Probe(member(e, parameters.get(i)), e, i, parameters.get(i)));
                    }
                }
            }
        }
        return probes;
    }

    private static List<String> parameterNames(Executable e, Map<String, List<String>> names) {
        Class<?> c = e.getDeclaringClass();
        if (c.isRecord() && e instanceof Constructor<?> && !names.containsKey(key(e))) {
            return Stream.of(c.getRecordComponents()).map(RecordComponent::getName).toList(); // a compact constructor
        }
        List<String> found = names.get(key(e));
        if (found == null) {
            fail("no source declaration " + key(e) + " found under lib/src/main/java");
        }
        return found;
    }

    @TestFactory
    Stream<DynamicTest> everyReferenceParameterRefusesNullByName() throws Exception {
        List<Probe> probes = probes();
        assertTrue(probes.size() >= 300, probes.size() + " reference parameters found: is the class path scan broken?");
        return probes.stream().filter(p -> !NULLABLE.contains(p.key()))
                .map(p -> dynamicTest(p.key(), () -> {
                    String problem = problem(p);
                    assertTrue(problem == null, problem);
                }));
    }

    @Test
    void everyListedParameterIsAPublicReferenceParameter() throws Exception {
        Set<String> all = probes().stream().map(Probe::key).collect(Collectors.toCollection(TreeSet::new));
        for (String listed : NULLABLE) {
            assertTrue(all.contains(listed), listed + " is listed but is no reference parameter of a public constructor or factory");
        }
    }

    /** A constructor that stores its arguments unchecked. */
    public static final class Unchecked {
        /** Stores label and x. */
        public Unchecked(String label, ai.djl.ndarray.NDArray x) {
            this.label = label;
            this.x = x;
        }

        private final String label;
        private final ai.djl.ndarray.NDArray x;
    }

    /** A constructor that uses model before it checks x. */
    public static final class UsesFirst {
        /** Checks x after reading model's dimension. */
        public UsesFirst(diffusion.score.ScoreModel model, ai.djl.ndarray.NDArray x) {
            this.dim = model.dim();
            Arguments.allNonNull("model, x", model, x);
        }

        private final int dim;
    }

    /** A constructor that checks both at once. */
    public static final class Checked {
        /** Checks model and x, then uses model. */
        public Checked(diffusion.score.ScoreModel model, ai.djl.ndarray.NDArray x) {
            Arguments.allNonNull("model, x", model, x);
            this.dim = model.dim();
        }

        private final int dim;
    }

    @Test
    void theCheckCatchesAMissingAndALateRefusal() throws Exception {
        Constructor<?> unchecked = Unchecked.class.getConstructors()[0];
        Constructor<?> usesFirst = UsesFirst.class.getConstructors()[0];
        Constructor<?> checked = Checked.class.getConstructors()[0];
        assertTrue(problem(new Probe("Unchecked(label)", unchecked, 0, "label")).contains("accepted null"));
        assertTrue(problem(new Probe("UsesFirst(x)", usesFirst, 1, "x")).contains("stand-in ScoreModel was used"));
        assertTrue(problem(new Probe("Checked(model)", checked, 0, "model")) == null);
        assertTrue(problem(new Probe("Checked(x)", checked, 1, "x")) == null);
        assertTrue(problem(new Probe("Checked(x) by another name", checked, 1, "data")).contains("not naming data"));
    }

    /** Null when the call refuses null at parameter p.index() by name; otherwise what happened. */
    private static String problem(Probe p) {
        Executable e = p.executable();
        Class<?>[] types = e.getParameterTypes();
        Object[] args = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            args[i] = i == p.index() ? null : standIn(types[i]);
        }
        Throwable thrown;
        try {
            if (e instanceof Constructor<?> k) {
                k.newInstance(args);
            } else {
                ((Method) e).invoke(null, args);
            }
            return p.key() + " accepted null";
        } catch (InvocationTargetException ex) {
            thrown = ex.getCause();
        } catch (ReflectiveOperationException ex) {
            return p.key() + ": could not call it: " + ex;
        }
        boolean refusal = thrown instanceof IllegalArgumentException || thrown instanceof NullPointerException;
        String message = String.valueOf(thrown.getMessage());
        if (refusal && names(message, p.parameter())) {
            return null;
        }
        return p.key() + " threw " + thrown.getClass().getName() + ": " + message
                + (refusal ? " (not naming " + p.parameter() + ")" : "") + " at " + List.of(thrown.getStackTrace()).subList(0,
                        Math.min(3, thrown.getStackTrace().length));
    }

    /** Whether message names parameter as a whole word (parameter or parameter[1] or parameter.field). */
    private static boolean names(String message, String parameter) {
        int from = 0;
        while (true) {
            int at = message.indexOf(parameter, from);
            if (at < 0) {
                return false;
            }
            int end = at + parameter.length();
            boolean startOk = at == 0 || !WORD.matcher(message.substring(at - 1, at)).matches();
            boolean endOk = end == message.length() || !WORD.matcher(message.substring(end, end + 1)).matches();
            if (startOk && endOk) {
                return true;
            }
            from = at + 1;
        }
    }

    /** A non-null argument of the type that fails if the callee uses it (except as a value it only stores). */
    private static Object standIn(Class<?> type) {
        if (type == int.class || type == long.class || type == short.class || type == byte.class) {
            return switch (type.getName()) {
                case "int" -> 1;
                case "long" -> 1L;
                case "short" -> (short) 1;
                default -> (byte) 1;
            };
        }
        if (type == double.class) {
            return 0.5;
        }
        if (type == float.class) {
            return 0.5f;
        }
        if (type == boolean.class) {
            return false;
        }
        if (type == char.class) {
            return 'x';
        }
        if (type.isArray()) {
            return Array.newInstance(type.getComponentType(), 0);
        }
        if (type == String.class || type == CharSequence.class) {
            return "stand-in";
        }
        if (type == Double.class || type == Number.class) {
            return 0.5;
        }
        if (type == Integer.class) {
            return 1;
        }
        if (type == Long.class) {
            return 1L;
        }
        if (type == Boolean.class) {
            return false;
        }
        if (type.isEnum()) {
            return type.getEnumConstants()[0];
        }
        if (type == List.class || type == java.util.Collection.class || type == Iterable.class) {
            return List.of();
        }
        if (type == Set.class) {
            return Set.of();
        }
        if (type == Map.class) {
            return Map.of();
        }
        if (type.isInterface()) {
            return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
                return switch (method.getName()) {
                    case "toString" -> "stand-in " + type.getSimpleName();
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException("a stand-in " + type.getSimpleName()
                            + " was used: check every argument for null before using any");
                };
            });
        }
        if (Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalStateException("no stand-in for the abstract class " + type.getName() + ": add one to standIn");
        }
        try {
            return unsafe().allocateInstance(type);
        } catch (ReflectiveOperationException ex) {
            throw new IllegalStateException("no stand-in for " + type.getName(), ex);
        }
    }

    private static sun.misc.Unsafe unsafe() throws ReflectiveOperationException {
        Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        return (sun.misc.Unsafe) f.get(null);
    }
}
