// A small HTTP server on 127.0.0.1 for the local service stand-ins: it reads each request's body whole and answers
// with what the handler returns.
import * as http from 'http';
import { AddressInfo } from 'net';

export interface LoopbackAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface LoopbackServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function serveOnLoopback(handle: (body: Buffer, req: http.IncomingMessage) => LoopbackAnswer): Promise<LoopbackServer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = handle(Buffer.concat(chunks), req);
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
