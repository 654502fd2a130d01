// A background task run every `everyMs` that never overlaps itself: a tick that finds the last run still
// going skips (a slow database must not pile up refreshes), and stopping waits for the run in flight.
export interface Repeating {
  stop(): Promise<void>;
}

export function repeatWithoutOverlap(everyMs: number, run: () => Promise<unknown>, onError?: (e: unknown) => void): Repeating {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = run()
      .then(
        () => {},
        (e) => onError?.(e),
      )
      .finally(() => (running = undefined));
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
