import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Received = { headers: http.IncomingHttpHeaders; body: string; at: number };
export type Answer = (
  request: Received,
  index: number,
) => { status: number; headers?: Record<string, string>; delayMs?: number };

/**
 * A webhook receiver on a loopback port that records what it gets and answers as told, and counts the TCP
 * connections it accepted and the most requests it had in hand at once.
 */
export type Receiver = {
  url: string;
  received: Received[];
  answer: Answer;
  connections: number;
  maxInFlight: number;
  /** TCP connections open now. */
  open: () => number;
  close: () => Promise<void>;
};

export async function startReceiver(answer: Answer = () => ({ status: 204 })): Promise<Receiver> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const receiver: Receiver = {
    url: '',
    received,
    answer,
    connections: 0,
    maxInFlight: 0,
    open: () => sockets.size,
    close: async () => undefined,
  };
  let inFlight = 0;
  const server = http.createServer((request, response) => {
    inFlight += 1;
    receiver.maxInFlight = Math.max(receiver.maxInFlight, inFlight);
    response.on('close', () => {
      inFlight -= 1;
    });
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      received.push(entry);
      const reply = receiver.answer(entry, received.length - 1);
      const send = () => {
        if (response.destroyed) return;
        response.writeHead(reply.status, reply.headers ?? {});
        response.end();
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs).unref();
      else send();
    });
  });
  server.on('connection', (socket) => {
    receiver.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  receiver.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}
