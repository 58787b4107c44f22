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

export async function serveOnLoopback(handle: (body: Buffer, req: http.IncomingMessage) => LoopbackAnswer | Promise<LoopbackAnswer>): Promise<LoopbackServer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void Promise.resolve(handle(Buffer.concat(chunks), req)).then((answer) => {
        // The Date header from the test's clock (virtual time): the SDK corrects its clock skew from it, and retries an
        // error it took for a skew, which a real endpoint's Date never causes.
        res.writeHead(answer.status, { date: new Date().toUTCString(), ...answer.headers });
        res.end(answer.body);
      }, (e: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`test world error: ${e.message}`);
      });
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
