"""Write the diffusion-java kernelspec (kernel.json) for rapaio-jupyter-kernel.

usage: kernelspec.py OUT_DIR KERNEL_JAR KERNEL_PATCH CLASSPATH WORKBENCH_HOME -- JAVA [JVM_OPTION...]

KERNEL_PATCH is a class folder put ahead of KERNEL_JAR on the kernel's class path: it holds our
org.rapaio.jupyter.kernel.channels.LoopThread (tools/kernel/LoopThread.java), which removes the
start-up race that killed a channel thread in about one start in five.

CLASSPATH is ':'-separated (as Maven writes it); the kernel wants ';' in
RJK_CLASSPATH. rapaio runs cells in the kernel's own JVM (JShell with a
DirectExecutionControl), so JVM options go on the java command line.
"""
import json
import os
import sys


def kernel_json(jar, patch, classpath, home, java_cmd):
    return {
        "argv": java_cmd + ["-cp", patch + os.pathsep + jar, "org.rapaio.jupyter.kernel.MainApp", "{connection_file}"],
        "display_name": "Java (diffusion-workbench)",
        "language": "java",
        "interrupt_mode": "message",
        "env": {
            "RJK_CLASSPATH": ";".join(p for p in classpath.split(":") if p),
            "RJK_COMPILER_OPTIONS": "",
            "RJK_INIT_SCRIPT": "",
            "RJK_TIMEOUT_MILLIS": "-1",
            "WORKBENCH_HOME": home,
            "MKL_CBWR": "COMPATIBLE",
            "OMP_NUM_THREADS": "1",
        },
    }


def main(argv):
    if len(argv) < 7 or argv[5] != "--":
        sys.exit(__doc__)
    out_dir, jar, patch, classpath, home, java_cmd = argv[0], argv[1], argv[2], argv[3], argv[4], argv[6:]
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "kernel.json"), "w") as f:
        json.dump(kernel_json(jar, patch, classpath, home, java_cmd), f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
