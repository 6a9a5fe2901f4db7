import type { JetStreamManager, JsMsg, StreamConfig } from "@nats-io/jetstream";
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { connect } from "@nats-io/transport-node";
import type { BusEvent, EventBus, Subscription, Task, WorkQueue } from "./bus.js";
import { assertSubject, errorText, retryDelayMs, settleWithin } from "./bus.js";

const nanos = (ms: number) => ms * 1_000_000;
/** Publishing the same id again within this window is dropped by JetStream. */
const DUPLICATE_WINDOW_MS = 10 * 60_000;
/** How long one pull waits for a message before checking whether the consumer was stopped. */
const PULL_EXPIRES_MS = 1000;
/** Pause before an event whose handler failed is delivered again. */
const EVENT_RETRY_MS = 1000;

export interface NatsBusOptions {
  url: string;
  /** Prefix of stream names and subjects, so that deployments and test runs never share streams. */
  namespace?: string;
  /** Replicas of each stream; three in production (DESIGN.md section 2). */
  replicas?: number;
}

/**
 * Work queue and event bus on NATS JetStream: one work-queue stream per queue with a durable pull
 * consumer shared by all workers, and one stream of events with a durable consumer per subscriber.
 */
export async function createNatsBus(
  opts: NatsBusOptions,
): Promise<{ queue: WorkQueue; bus: EventBus; nc: NatsConnection }> {
  const ns = (opts.namespace ?? "PORTAL").toUpperCase();
  assertSubject(ns, false);
  const nc = await connect({ servers: opts.url, name: `portal-${ns.toLowerCase()}` });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const subs = new Set<Subscription>();
  const ensured = new Map<string, Promise<void>>();

  const ensureStream = (cfg: Partial<StreamConfig> & { name: string }) => {
    let p = ensured.get(cfg.name);
    if (!p) {
      p = upsertStream(jsm, {
        storage: StorageType.File,
        num_replicas: opts.replicas ?? 1,
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
        ...cfg,
      });
      ensured.set(cfg.name, p);
    }
    return p;
  };
  const queueStream = (q: string) => `${ns}_QUEUE_${q.replace(/[^A-Za-z0-9]/g, "_").toUpperCase()}`;
  const queueSubject = (q: string) => `${ns.toLowerCase()}.queue.${q}`;
  const eventStream = `${ns}_EVENTS`;
  const eventPrefix = `${ns.toLowerCase()}.events.`;

  /** Runs `handle` on up to `concurrency` messages at a time, pulling one per free slot. */
  function pullLoops(
    stream: string,
    durable: string,
    concurrency: number,
    handle: (m: JsMsg) => Promise<void>,
  ): Subscription {
    let stopped = false;
    const loops = Array.from({ length: concurrency }, async () => {
      const consumer = await js.consumers.get(stream, durable);
      while (!stopped) {
        const m = await consumer.next({ expires: PULL_EXPIRES_MS }).catch(() => null);
        if (m) await handle(m);
      }
    });
    const sub: Subscription = {
      async stop(graceMs = Number.POSITIVE_INFINITY) {
        stopped = true;
        await settleWithin(loops, graceMs);
        subs.delete(sub);
      },
    };
    subs.add(sub);
    return sub;
  }

  const queue: WorkQueue = {
    kind: "nats",
    async enqueue(q, id, payload) {
      assertSubject(q, false);
      await ensureStream({
        name: queueStream(q),
        subjects: [queueSubject(q)],
        retention: RetentionPolicy.Workqueue,
      });
      await js.publish(queueSubject(q), JSON.stringify(payload), {
        msgID: `${q}:${id}`,
        headers: undefined,
      });
    },
    async consume(q, handler, o) {
      assertSubject(q, false);
      const stream = queueStream(q);
      await ensureStream({
        name: stream,
        subjects: [queueSubject(q)],
        retention: RetentionPolicy.Workqueue,
      });
      const durable = `${stream}_WORKERS`;
      // One delivery beyond maxDeliver lets a worker notice that the last try's worker was lost
      // and dead-letter the task instead of leaving it unacknowledged forever.
      await upsertConsumer(jsm, stream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        ack_wait: nanos(o.ackWaitMs),
        max_deliver: o.maxDeliver + 1,
        max_ack_pending: -1,
      });
      const retryDelay = o.retryDelay ?? retryDelayMs;
      return pullLoops(stream, durable, o.concurrency, async (m) => {
        const msgId = m.headers?.get("Nats-Msg-Id") ?? "";
        const task: Task = {
          queue: q,
          id: msgId.startsWith(`${q}:`) ? msgId.slice(q.length + 1) : String(m.seq),
          payload: m.json(),
          delivery: m.info.deliveryCount,
        };
        if (task.delivery > o.maxDeliver) {
          m.term("worker lost on last delivery");
          await o.onDeadLetter?.(task, `worker lost after ${o.maxDeliver} deliveries`);
          return;
        }
        try {
          await handler(task, { progress: async () => m.working() });
          await m.ackAck();
        } catch (err) {
          if (task.delivery >= o.maxDeliver) {
            m.term(errorText(err).slice(0, 200));
            await o.onDeadLetter?.(task, errorText(err));
          } else {
            m.nak(retryDelay(task.delivery));
          }
        }
      });
    },
    async close(graceMs?: number) {
      await Promise.all([...subs].map((s) => s.stop(graceMs)));
    },
  };

  const bus: EventBus = {
    kind: "nats",
    async publish(subject, id, data) {
      assertSubject(subject, false);
      await ensureStream({
        name: eventStream,
        subjects: [`${eventPrefix}>`],
        retention: RetentionPolicy.Limits,
      });
      await js.publish(`${eventPrefix}${subject}`, JSON.stringify(data), { msgID: id });
    },
    async subscribe(durable, filter, handler, so) {
      assertSubject(filter, true);
      assertSubject(durable, false);
      await ensureStream({
        name: eventStream,
        subjects: [`${eventPrefix}>`],
        retention: RetentionPolicy.Limits,
      });
      await upsertConsumer(jsm, eventStream, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: so?.from === "new" ? DeliverPolicy.New : DeliverPolicy.All,
        filter_subject: `${eventPrefix}${filter}`,
        ...(so?.inactiveMs ? { inactive_threshold: nanos(so.inactiveMs) } : {}),
        ack_wait: nanos(60_000),
        max_ack_pending: 1, // one at a time: subscribers see events in order
      });
      return pullLoops(eventStream, durable, 1, async (m) => {
        const event: BusEvent = {
          subject: m.subject.slice(eventPrefix.length),
          id: m.headers?.get("Nats-Msg-Id") ?? String(m.seq),
          data: m.json(),
        };
        try {
          await handler(event);
          await m.ackAck();
        } catch {
          // Pause here, then ask for redelivery at once: with one event in flight nothing else is
          // delivered meanwhile, and the retry does not depend on the server's nak-delay timer
          // (which was seen to leave an event waiting for its full ack wait under load).
          await new Promise((r) => setTimeout(r, EVENT_RETRY_MS));
          m.nak();
        }
      });
    },
    async close(graceMs?: number) {
      await Promise.all([...subs].map((s) => s.stop(graceMs)));
    },
  };

  /** Closing either side stops both and drains the connection: they share it. */
  let closing: Promise<void> | undefined;
  const closeAll = (graceMs?: number) => {
    closing ??= (async () => {
      await queue.close(graceMs);
      await bus.close(graceMs);
      await nc.drain();
    })();
    return closing;
  };
  return { nc, queue: { ...queue, close: closeAll }, bus: { ...bus, close: closeAll } };
}

async function upsertStream(
  jsm: JetStreamManager,
  cfg: Partial<StreamConfig> & { name: string },
): Promise<void> {
  try {
    await jsm.streams.info(cfg.name);
    await jsm.streams.update(cfg.name, cfg);
  } catch (err) {
    if (!String(err).includes("stream not found")) throw err;
    await jsm.streams.add(cfg).catch(async (e) => {
      // Created by another process between our two calls.
      if (!String(e).includes("already in use")) throw e;
    });
  }
}

async function upsertConsumer(
  jsm: JetStreamManager,
  stream: string,
  cfg: Parameters<JetStreamManager["consumers"]["add"]>[1] & { durable_name: string },
): Promise<void> {
  try {
    await jsm.consumers.info(stream, cfg.durable_name);
    await jsm.consumers.update(stream, cfg.durable_name, cfg);
  } catch (err) {
    if (!String(err).includes("consumer not found")) throw err;
    await jsm.consumers.add(stream, cfg);
  }
}
