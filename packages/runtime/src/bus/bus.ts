/** An event as subscribers receive it. */
export interface BusEvent {
  readonly subject: string;
  /** The publisher's id: publishing the same id twice delivers one event. */
  readonly id: string;
  readonly data: unknown;
}

export interface Subscription {
  /**
   * Stops taking new work and waits up to `graceMs` (default: as long as it takes) for in-flight
   * handlers. A task still running after that is left to its lease: another worker gets it.
   */
  stop(graceMs?: number): Promise<void>;
}

/** Where a new subscriber starts, and whether it outlives its process. */
export interface SubscribeOptions {
  /**
   * "all" (default): every retained event the durable has not acknowledged. "new": only events
   * published after the durable is first created (a worker listening for control messages).
   */
  from?: "all" | "new";
  /**
   * A subscriber of one process (a worker's control channel): NATS removes its consumer after
   * this long without the process; the database bus keeps a cursor row, which costs nothing.
   */
  inactiveMs?: number;
}

/**
 * The event bus: durable, at-least-once, in order per subscriber. Handlers must be idempotent.
 * Subjects are dot-separated tokens; filters use NATS wildcards (`*` one token, `>` the rest).
 */
export interface EventBus {
  readonly kind: "database" | "nats";
  publish(subject: string, id: string, data: unknown): Promise<void>;
  /** Delivers every event matching `filter` that `durable` has not yet acknowledged. */
  subscribe(
    durable: string,
    filter: string,
    handler: (e: BusEvent) => Promise<void>,
    opts?: SubscribeOptions,
  ): Promise<Subscription>;
  close(graceMs?: number): Promise<void>;
}

/** A task as a worker receives it. */
export interface Task {
  readonly queue: string;
  readonly id: string;
  readonly payload: unknown;
  /** 1 on first delivery. */
  readonly delivery: number;
}

export interface TaskControl {
  /** Tells the queue the task is still being worked on, so it is not handed to another worker. */
  progress(): Promise<void>;
}

export interface ConsumeOptions {
  /** Tasks handled at once by this consumer. */
  concurrency: number;
  /** Deliveries before a failing task is dead-lettered. */
  maxDeliver: number;
  /** A task not acknowledged nor reported in progress for this long goes to another worker. */
  ackWaitMs: number;
  /** Delay before a failed task is delivered again; default `retryDelayMs`. */
  retryDelay?: (delivery: number) => number;
  /** Called once when a task is given up: it failed on its last delivery, or its worker was lost. */
  onDeadLetter?: (task: Task, error: string) => Promise<void>;
}

/**
 * The work queue: each task goes to one worker at a time; a task whose handler throws, or whose
 * worker stops reporting progress, is delivered again, up to `maxDeliver` times.
 */
export interface WorkQueue {
  readonly kind: "database" | "nats";
  /** Queues a task; enqueuing an id that is already queued does nothing. */
  enqueue(queue: string, id: string, payload: unknown): Promise<void>;
  consume(
    queue: string,
    handler: (task: Task, control: TaskControl) => Promise<void>,
    opts: ConsumeOptions,
  ): Promise<Subscription>;
  /** Stops every consumer, waiting up to `graceMs` for tasks in flight. */
  close(graceMs?: number): Promise<void>;
}

const TOKEN = /^[A-Za-z0-9_-]+$/;

/** Checks a subject or filter: dot-separated tokens, wildcards allowed in filters only. */
export function assertSubject(subject: string, allowWildcards: boolean): void {
  const tokens = subject.split(".");
  const ok = tokens.every(
    (t, i) =>
      TOKEN.test(t) || (allowWildcards && (t === "*" || (t === ">" && i === tokens.length - 1))),
  );
  if (!ok)
    throw new Error(
      `invalid subject ${JSON.stringify(subject)}: use dot-separated [A-Za-z0-9_-] tokens`,
    );
}

/** Whether `subject` matches `filter` under NATS wildcard rules. */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split(".");
  const s = subject.split(".");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === ">") return s.length > i;
    if (i >= s.length || (f[i] !== "*" && f[i] !== s[i])) return false;
  }
  return f.length === s.length;
}

/** Backoff before a failed task is delivered again: 1 s, 2 s, 4 s ... capped at 30 s. */
export const retryDelayMs = (delivery: number): number =>
  Math.min(30_000, 1000 * 2 ** (delivery - 1));

export const errorText = (err: unknown): string =>
  (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 4000);

/** Resolves when `work` settles or `ms` pass, whichever is first. */
export async function settleWithin(work: Promise<unknown>[], ms: number): Promise<void> {
  if (!Number.isFinite(ms)) {
    await Promise.allSettled(work);
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.allSettled(work), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
