package diffusion.report;

import ai.djl.engine.Engine;

/** What a run ran on, for the top of every notebook, and the one call that seeds DJL's engine. */
public final class Environment {

    private Environment() {}

    /**
     * An HTML &lt;pre&gt; block: DJL engine and version, device(s), Java, OS, processors, seed and
     * run mode ({@link RunMode#name()}).
     */
    public static String describe(long seed) {
        Engine engine = Engine.getInstance();
        int gpus = engine.getGpuCount();
        String devices = gpus > 0
                ? "GPU: " + gpus + " CUDA device(s), using gpu(0)"
                : "CPU (no GPU visible to DJL)";
        String text = String.join("\n",
                row("Engine", engine.getEngineName() + " " + engine.getVersion() + " (DJL " + Engine.getDjlVersion() + ")"),
                row("Devices", devices),
                row("Default device", String.valueOf(engine.defaultDevice())),
                row("Java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"),
                row("OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " (" + System.getProperty("os.arch") + ")"),
                row("Processors", String.valueOf(Runtime.getRuntime().availableProcessors())),
                row("CPU kernels", kernels()),
                row("Seed", String.valueOf(seed)),
                row("Run mode", RunMode.name()));
        return "<pre>" + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</pre>";
    }

    /**
     * The settings that decide the CPU kernels and so the last bits of every number (set by ./workbench): oneDNN's
     * instruction-set cap ONEDNN_MAX_CPU_ISA, MKL's code path MKL_CBWR, PyTorch's intra-op threads.
     */
    public static String kernels() {
        return "ONEDNN_MAX_CPU_ISA=" + setting(System.getenv("ONEDNN_MAX_CPU_ISA")) + ", MKL_CBWR=" + setting(System.getenv("MKL_CBWR"))
                + ", PyTorch threads " + setting(System.getProperty("ai.djl.pytorch.num_threads"));
    }

    private static String setting(String value) {
        return value == null || value.isEmpty() ? "(unset)" : value;
    }

    /**
     * Engine.getInstance().setRandomSeed(engineSeed(seed)) so DJL's own random ops (initialisers,
     * dropout, NDManager.random*) repeat bitwise from run to run.
     */
    public static void seed(long seed) {
        Engine.getInstance().setRandomSeed(engineSeed(seed));
    }

    /** DJL takes an int seed: seed itself when it fits in an int, else Long.hashCode(seed) = (int) (seed ^ (seed &gt;&gt;&gt; 32)). */
    public static int engineSeed(long seed) {
        return seed == (int) seed ? (int) seed : Long.hashCode(seed);
    }

    private static String row(String key, String value) {
        return String.format("%-16s%s", key + ":", value);
    }
}
