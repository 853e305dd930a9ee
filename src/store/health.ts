/**
 * The database part of /healthz, answered without queueing behind the database's work: a round
 * trip that succeeded within `freshMs` counts as healthy (a new probe is started in the background,
 * one at a time); otherwise the probe is awaited, for at most `timeoutMs`. On the embedded PGlite
 * every query waits for the transaction before it, so a probe per request would report load as an
 * outage and make monitoring itself part of the load.
 */
export interface DbHealthOptions {
  /** One database round trip (e.g. `select 1`). */
  probe: () => Promise<unknown>;
  /** Default 5 000 ms. */
  freshMs?: number;
  /** Default 5 000 ms. */
  timeoutMs?: number;
  now?: () => number;
}

export class DbHealth {
  private lastOk = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;
  private readonly freshMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly options: DbHealthOptions) {
    this.freshMs = options.freshMs ?? 5_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.now = options.now ?? (() => performance.now());
  }

  /** Resolves when the database answered recently (or answers now); rejects otherwise. */
  async check(): Promise<void> {
    const probe = this.startProbe();
    if (this.now() - this.lastOk <= this.freshMs) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the database did not answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    try {
      await Promise.race([probe, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private startProbe(): Promise<void> {
    this.inFlight ??= (async () => {
      try {
        await this.options.probe();
        this.lastOk = this.now();
      } finally {
        this.inFlight = undefined;
      }
    })();
    const p = this.inFlight;
    p.catch(() => {}); // a background probe's failure shows in the next check
    return p;
  }
}
