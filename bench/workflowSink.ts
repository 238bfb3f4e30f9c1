// A local HTTP endpoint that accepts workflow calls (checking each signature) and answers 200:
// the far end of the workflow benchmark, in its own process so it does not compete with the caller.
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';

const secret = process.argv[2] ?? 'bench-secret';
let received = 0;
let badSignatures = 0;
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    const expected = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    if (request.headers['waymark-signature'] !== expected) badSignatures += 1;
    received += 1;
    response.end();
  });
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`${address.port}\n`);
});
process.on('SIGTERM', () => {
  process.stderr.write(`${JSON.stringify({ received, badSignatures })}\n`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
