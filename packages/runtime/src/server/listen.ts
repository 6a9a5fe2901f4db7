import http from "node:http";
import http2 from "node:http2";
import net from "node:net";

type Handler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

/** The first bytes of every HTTP/2 connection with prior knowledge (RFC 9113 section 3.4). */
const H2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

export interface Listener {
  readonly port: number;
  /**
   * Stops accepting, asks HTTP/2 peers to go away and closes idle HTTP/1 connections, waits up to
   * `graceMs` for calls in flight, then drops what is left.
   */
  close(graceMs?: number): Promise<void>;
  /** Drops every connection still open. */
  destroy(): void;
}

/**
 * Serves one handler on one port over HTTP/1.1 and cleartext HTTP/2 (h2c), choosing per connection
 * from its first bytes, so Connect, gRPC-Web (HTTP/1.1) and gRPC (HTTP/2) share the port. TLS ends
 * at the ingress.
 */
export async function listen(handler: Handler, port: number, host: string): Promise<Listener> {
  const h1 = http.createServer(handler as http.RequestListener);
  const h2 = http2.createServer(
    {},
    handler as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void,
  );
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on("session", (s) => {
    sessions.add(s);
    s.on("close", () => sessions.delete(s));
  });
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.once("readable", () => {
      const head: Buffer | null = socket.read(H2_PREFACE.length) ?? socket.read();
      if (head === null) return;
      socket.unshift(head);
      const isH2 = head.toString("latin1") === H2_PREFACE.slice(0, head.length);
      (isH2 ? h2 : h1).emit("connection", socket);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as net.AddressInfo;
  return {
    port: addr.port,
    async close(graceMs = 10_000) {
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sessions) s.close(); // GOAWAY: finish open streams, take no new ones
      h1.closeIdleConnections();
      const idle = setInterval(() => h1.closeIdleConnections(), 100);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearInterval(idle);
      clearTimeout(timer);
      for (const s of sockets) s.destroy();
    },
    destroy() {
      for (const s of sockets) s.destroy();
    },
  };
}
