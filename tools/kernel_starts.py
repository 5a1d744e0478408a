"""Start a Jupyter kernel N times in a row and count the starts that fail.

usage: kernel_starts.py KERNEL_DIR [N] [--code CODE]

KERNEL_DIR holds a kernel.json (./workbench writes one to .jupyter-local/kernels/diffusion-java).
A start is: jupyter_client KernelManager.start_kernel, the client's wait_for_ready (kernel_info on
the shell channel), one execute_request of CODE (default "1 + 1") answered with status ok, a
heartbeat that answers (within HEARTBEAT_TIMEOUT_S), and a shutdown_request on the control
channel that is answered (the JVM itself lingers while JShell's idle engine thread times out, so
the KernelManager then stops it). Kernels run one after another (one JVM at a time). Prints one line per start and a summary; exits 1 if any
start failed.
"""
import os
import queue
import shutil
import sys
import tempfile
import time

from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager

READY_TIMEOUT_S = 60
REPLY_TIMEOUT_S = 30
# jupyter_client counts a heartbeat as missed after 1 s; on a loaded machine a live kernel can miss one,
# a dead heartbeat thread never answers again.
HEARTBEAT_TIMEOUT_S = 10


def reply(get_msg, msg_id, timeout):
    """The reply to the request msg_id read with get_msg (other messages skipped)."""
    deadline = time.monotonic() + timeout
    while True:
        msg = get_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def beating(kc, timeout):
    """Whether the heartbeat answers within timeout (checked after a first period of 1.5 s)."""
    deadline = time.monotonic() + timeout
    time.sleep(1.5)
    while not kc.hb_channel.is_beating():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def answered(kc, msg_id, timeout):
    """Whether a reply to msg_id came on the shell or the control channel within timeout (rapaio 3.0.1 sends its
    shutdown_reply on the shell channel; what counts is that the control thread handled the request)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for get_msg in (kc.get_control_msg, kc.get_shell_msg):
            try:
                if get_msg(timeout=0.2)["parent_header"].get("msg_id") == msg_id:
                    return True
            except queue.Empty:
                pass
    return False


def one_start(spec_dirs, name, code):
    """None when the kernel started and answered shell, heartbeat and control; else what failed."""
    km = KernelManager(kernel_name=name, kernel_spec_manager=KernelSpecManager(kernel_dirs=spec_dirs))
    km.start_kernel()
    kc = km.blocking_client()
    kc.start_channels()
    try:
        try:
            kc.wait_for_ready(timeout=READY_TIMEOUT_S)
        except RuntimeError as e:
            return f"not ready after {READY_TIMEOUT_S} s ({e})"
        msg_id = kc.execute(code)
        try:
            answer = reply(kc.get_shell_msg, msg_id, REPLY_TIMEOUT_S)
        except Exception as e:
            return f"no execute_reply ({type(e).__name__})"
        if answer["content"].get("status") != "ok":
            return f"execute_reply status {answer['content'].get('status')}"
        if not beating(kc, HEARTBEAT_TIMEOUT_S):
            return f"heartbeat silent for {HEARTBEAT_TIMEOUT_S} s"
        request = kc.session.msg("shutdown_request", {"restart": False})
        kc.control_channel.send(request)
        if not answered(kc, request["header"]["msg_id"], REPLY_TIMEOUT_S):
            return f"no shutdown_reply {REPLY_TIMEOUT_S} s after a shutdown_request on control"
        return None
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)  # after the answered shutdown_request only JShell's idle thread is left: stop it


def main(argv):
    args = [a for a in argv if a != "--code"]
    code = "1 + 1"
    if "--code" in argv:
        code = argv[argv.index("--code") + 1]
        args.remove(code)
    if not args:
        sys.exit(__doc__)
    kernel_dir = os.path.abspath(args[0])
    n = int(args[1]) if len(args) > 1 else 100
    tmp = tempfile.mkdtemp(prefix="kernel-starts-")
    name = "under-test"
    os.symlink(kernel_dir, os.path.join(tmp, name))
    failures = 0
    try:
        for i in range(1, n + 1):
            started = time.monotonic()
            failure = one_start([tmp], name, code)
            failures += failure is not None
            print(f"start {i:3d}: {'ok' if failure is None else 'FAILED: ' + failure} ({time.monotonic() - started:.1f} s)", flush=True)
    finally:
        shutil.rmtree(tmp)
    print(f"{n - failures} of {n} starts succeeded")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
