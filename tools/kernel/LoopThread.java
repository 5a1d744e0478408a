package org.rapaio.jupyter.kernel.channels;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * diffusion-workbench's replacement for rapaio-jupyter-kernel 3.0.1's channel loop thread, compiled by ./workbench
 * into build/kernel/patch and put ahead of the kernel's jar on its class path (tools/kernelspec.py), so that the
 * kernel loads this class instead of its own.
 *
 * <p>Why: the kernel's LoopThread sets its running flag only after Thread.start() has returned, and its run() loops
 * while running; when the new thread is scheduled before the starting thread sets the flag, run() sees false, returns
 * and the thread is gone. The heartbeat, shell or control channel then never answers, and the kernel "does not start"
 * (about one start in five). Here the flag is true from construction, so the loop always runs until shutdown().
 * Second, a loop body that throws (the shell channel looks its handler up in a table that Channels.connect fills only
 * after the channels are bound, so a request arriving in between dereferences null) no longer ends the thread: the
 * failure is logged and the loop polls again; Jupyter clients repeat kernel_info_request until answered.
 */
public final class LoopThread extends Thread {

    private static final Logger LOGGER = Logger.getLogger(LoopThread.class.getSimpleName());

    private volatile boolean running = true;
    private final long sleep;
    private final Runnable loopBody;

    /** A thread named name that runs loopBody, then sleeps sleep milliseconds, until shutdown() or an interrupt. */
    public LoopThread(String name, long sleep, Runnable loopBody) {
        super(name);
        this.sleep = sleep;
        this.loopBody = loopBody;
    }

    @Override
    public void run() {
        while (running) {
            try {
                loopBody.run();
            } catch (RuntimeException e) {
                if (running) {
                    LOGGER.log(Level.WARNING, getName() + ": loop body failed; polling again", e);
                }
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                running = false;
                return;
            }
        }
    }

    /** Ends the loop after the current pass. */
    public void shutdown() {
        running = false;
    }
}
