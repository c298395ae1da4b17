/**
 * The stdio servers this process started and has not seen exit. If the process exits without
 * closing its connections (an uncaught error, `process.exit()`), the `exit` hook still signals
 * them, so no server outlives the app that started it. Servers also end when their stdin closes,
 * which covers a parent killed outright.
 */
const running = new Set<number>();

function terminateAll(): void {
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
}

/** Remembers a child process until `forgetChild`. */
export function trackChild(pid: number): void {
  if (running.size === 0) process.once('exit', terminateAll);
  running.add(pid);
}

/** Stops tracking a child process (it exited, or its connection closed it). */
export function forgetChild(pid: number): void {
  if (!running.delete(pid)) return;
  if (running.size === 0) process.off('exit', terminateAll);
}

/** True while a process with this id exists (including a child not yet reaped). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits until the process is gone; false when it is still there after `timeoutMs`. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}
