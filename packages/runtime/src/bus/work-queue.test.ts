import { randomBytes } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import { natsUp, realServices } from "@portal/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../db/database.js";
import type { EventBus, Task, WorkQueue } from "./bus.js";
import { createDatabaseBus } from "./db-bus.js";
import { createNatsBus } from "./nats-bus.js";

/** A promise with its resolve function, for waiting on events instead of sleeping. */
function signal<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

type Impl = {
  name: string;
  up: () => boolean;
  open: () => Promise<{ queue: WorkQueue; bus: EventBus; close: () => Promise<void> }>;
};
const impls: Impl[] = [
  {
    name: "database (embedded, PGlite)",
    up: () => true,
    open: async () => {
      const db = await openDatabase({});
      const { queue, bus } = createDatabaseBus(db);
      return {
        queue,
        bus,
        close: async () => {
          await queue.close();
          await bus.close();
          await db.close();
        },
      };
    },
  },
  {
    name: "NATS JetStream",
    up: natsUp,
    open: async () => {
      const namespace = `T${randomBytes(4).toString("hex")}`;
      const { queue, bus, nc } = await createNatsBus({ url: realServices.natsUrl, namespace });
      return {
        queue,
        bus,
        close: async () => {
          const jsm = await jetstreamManager(nc);
          for await (const s of jsm.streams.list()) {
            if (s.config.name.startsWith(namespace.toUpperCase()))
              await jsm.streams.delete(s.config.name);
          }
          await queue.close();
        },
      };
    },
  },
];

const fast = { ackWaitMs: 1500, retryDelay: () => 10 };
let n = 0;
const qname = () => `q${++n}`;

for (const impl of impls) {
  describe.skipIf(!impl.up())(`work queue and bus: ${impl.name}`, () => {
    let queue: WorkQueue;
    let bus: EventBus;
    let close: () => Promise<void>;
    beforeAll(async () => ({ queue, bus, close } = await impl.open()));
    afterAll(async () => close?.());

    it("delivers a task once and drops a duplicate enqueue", async () => {
      const q = qname();
      const seen: Task[] = [];
      const last = signal();
      await queue.enqueue(q, "t1", { fund: "A" });
      await queue.enqueue(q, "t1", { fund: "A" });
      await queue.enqueue(q, "t2", { fund: "B" });
      const sub = await queue.consume(
        q,
        async (t) => {
          seen.push(t);
          if (t.id === "t3") last.resolve();
        },
        { concurrency: 1, maxDeliver: 3, ...fast },
      );
      // tasks go in order, so a duplicate of t1 would arrive before this marker
      await queue.enqueue(q, "t3", { fund: "C" });
      await last.promise;
      await sub.stop();
      expect(seen.map((t) => [t.id, t.payload, t.delivery])).toEqual([
        ["t1", { fund: "A" }, 1],
        ["t2", { fund: "B" }, 1],
        ["t3", { fund: "C" }, 1],
      ]);
    });

    it("redelivers a failing task, then dead-letters it with its error", async () => {
      const q = qname();
      const deliveries: number[] = [];
      const dead = signal<{ task: Task; error: string }>();
      await queue.enqueue(q, "poison", { x: 1 });
      const sub = await queue.consume(
        q,
        async (t) => {
          deliveries.push(t.delivery);
          throw new Error(`bad fund data on try ${t.delivery}`);
        },
        {
          concurrency: 1,
          maxDeliver: 3,
          ...fast,
          onDeadLetter: async (task, error) => dead.resolve({ task, error }),
        },
      );
      const { task, error } = await dead.promise;
      await sub.stop();
      expect(deliveries).toEqual([1, 2, 3]);
      expect(task.id).toBe("poison");
      expect(error).toContain("bad fund data on try 3");
    });

    it("hands a task whose worker went silent to another worker", async () => {
      const q = qname();
      const lost = signal();
      const recovered = signal<Task>();
      await queue.enqueue(q, "long", { weeks: 520 });
      // Worker A takes the task and never finishes nor reports progress: it has died.
      const a = await queue.consume(
        q,
        async () => {
          lost.resolve();
          await new Promise(() => {});
        },
        { concurrency: 1, maxDeliver: 5, ...fast },
      );
      await lost.promise;
      const b = await queue.consume(q, async (t) => recovered.resolve(t), {
        concurrency: 1,
        maxDeliver: 5,
        ...fast,
      });
      const t = await recovered.promise;
      await b.stop();
      await a.stop(0); // its handler never returns, as a dead process's wouldn't
      expect(t.id).toBe("long");
      expect(t.delivery).toBe(2);
    });

    it("keeps a task that reports progress with its worker", async () => {
      const q = qname();
      const deliveries: number[] = [];
      const done = signal();
      await queue.enqueue(q, "busy", {});
      const sub = await queue.consume(
        q,
        async (t, control) => {
          deliveries.push(t.delivery);
          // work for twice the ack wait, reporting progress every quarter of it
          for (let i = 0; i < 8; i++) {
            await new Promise((r) => setTimeout(r, fast.ackWaitMs / 4));
            await control.progress();
          }
          done.resolve();
        },
        { concurrency: 2, maxDeliver: 5, ...fast },
      );
      await done.promise;
      await sub.stop();
      expect(deliveries).toEqual([1]);
    });

    it("runs at most `concurrency` tasks at once", async () => {
      const q = qname();
      let active = 0;
      let peak = 0;
      let finished = 0;
      const all = signal();
      for (let i = 0; i < 6; i++) await queue.enqueue(q, `c${i}`, { i });
      const sub = await queue.consume(
        q,
        async () => {
          peak = Math.max(peak, ++active);
          await new Promise((r) => setTimeout(r, 30));
          active--;
          if (++finished === 6) all.resolve();
        },
        { concurrency: 2, maxDeliver: 3, ...fast },
      );
      await all.promise;
      await sub.stop();
      expect(peak).toBe(2);
    });

    it("delivers events in order to a durable subscriber, resuming where it left off", async () => {
      const topic = `runs${++n}`;
      const durable = `reports${n}`;
      const got: string[] = [];
      const three = signal();
      const five = signal();
      for (const id of ["e1", "e2", "e3"]) await bus.publish(`${topic}.completed`, id, { id });
      await bus.publish(`other${n}.completed`, "x1", {});
      await bus.publish(`${topic}.completed`, "e1", { id: "e1" }); // duplicate id: dropped
      let sub = await bus.subscribe(durable, `${topic}.*`, async (e) => {
        got.push(e.id);
        if (got.length === 3) three.resolve();
      });
      await three.promise;
      await sub.stop();
      for (const id of ["e4", "e5"]) await bus.publish(`${topic}.completed`, id, { id });
      sub = await bus.subscribe(durable, `${topic}.*`, async (e) => {
        got.push(e.id);
        if (got.length === 5) five.resolve();
      });
      await five.promise;
      await sub.stop();
      expect(got).toEqual(["e1", "e2", "e3", "e4", "e5"]);
    });

    it("starts a subscriber at new events when asked (a worker's control channel)", async () => {
      const topic = `ctl${++n}`;
      const got: string[] = [];
      const one = signal();
      await bus.publish(`${topic}.cancelled`, `old${n}`, {});
      const sub = await bus.subscribe(
        `ctl${n}`,
        `${topic}.*`,
        async (e) => {
          got.push(e.id);
          one.resolve();
        },
        { from: "new", inactiveMs: 60_000 },
      );
      await bus.publish(`${topic}.cancelled`, `new${n}`, {});
      await one.promise;
      await sub.stop();
      expect(got).toEqual([`new${n}`]);
    });

    it("delivers an event again when its handler fails", async () => {
      const topic = `retry${++n}`;
      const tries: string[] = [];
      const ok = signal();
      await bus.publish(`${topic}.done`, `r${n}`, { v: 1 });
      const sub = await bus.subscribe(`retry${n}`, `${topic}.>`, async (e) => {
        tries.push(e.id);
        if (tries.length === 1) throw new Error("transient");
        ok.resolve();
      });
      await ok.promise;
      await sub.stop();
      expect(tries).toEqual([`r${n}`, `r${n}`]);
    });
  });
}
