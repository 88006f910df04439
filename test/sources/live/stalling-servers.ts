/**
 * Loopback endpoints that never finish an answer: one accepts connections and stays silent, one sends
 * response headers and then one byte of body per interval, forever, and one never lets a connection
 * complete.
 * @module
 */
import http from 'node:http';
import { spawn } from 'node:child_process';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** A running stalling endpoint. */
export interface StallingServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** Connections accepted so far. */
  connections(): number;
  /** Requests whose headers arrived (the dribbling server only). */
  readonly requests: string[];
  /** Closes the server and every connection it holds. */
  stop(): Promise<void>;
}

async function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function stopper(server: net.Server, sockets: Set<net.Socket>, timers: Set<NodeJS.Timeout>): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      server.close(() => {
        resolve();
      });
    });
}

/** Accepts TCP connections, reads whatever is sent, never writes a byte. */
export async function startSilentServer(): Promise<StallingServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return { endpoint: `http://127.0.0.1:${port}`, port, connections: () => accepted, requests: [], stop: stopper(server, sockets, new Set()) };
}

/**
 * Answers every request with `200`, the given `content-type` and no length, then writes `byte` every
 * `intervalMs`, never ending the body.
 */
export async function startDribblingServer(opts: { contentType: string; byte?: string; intervalMs?: number }): Promise<StallingServer> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const requests: string[] = [];
  let accepted = 0;
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    res.writeHead(200, { 'content-type': opts.contentType });
    res.flushHeaders();
    const timer = setInterval(() => res.write(opts.byte ?? ' '), opts.intervalMs ?? 100);
    timers.add(timer);
    res.on('close', () => {
      clearInterval(timer);
      timers.delete(timer);
    });
  });
  server.on('connection', (socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return { endpoint: `http://127.0.0.1:${port}`, port, connections: () => accepted, requests, stop: stopper(server, sockets, timers) };
}

/**
 * A port whose accept queue is full: Python listens with a backlog of 0 and never accepts, and one
 * connection held here fills the queue, so the kernel drops every further SYN and a client's connect
 * never completes (Node's own servers always accept, so they cannot play this part).
 */
export async function startUnacceptingServer(): Promise<StallingServer> {
  const python = spawn(
    'python3',
    ['-u', '-c', 'import socket,sys\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1])\nsys.stdin.read()'],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    python.once('error', reject);
    python.stdout.setEncoding('utf8').once('data', (d: string) => {
      resolve(Number(d.trim()));
    });
  });
  const filler = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    filler.once('connect', () => {
      resolve();
    });
    filler.once('error', reject);
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    connections: () => 0,
    requests: [],
    stop: async () => {
      filler.destroy();
      python.stdin.end();
      if (python.exitCode === null)
        await new Promise<void>((resolve) =>
          python.once('exit', () => {
            resolve();
          }),
        );
    },
  };
}
