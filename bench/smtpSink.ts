// A local SMTP server that accepts and discards messages: the far end of the email benchmark,
// in its own process so it does not compete with the sender for the event loop.
import { SMTPServer } from 'smtp-server';

let received = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  disableReverseLookup: true,
  onData(stream, _session, callback) {
    stream.on('end', () => {
      received += 1;
      callback();
    });
    stream.resume();
  },
});
// A sender that goes away mid-conversation resets its connection; that is no reason to stop.
server.on('error', () => undefined);
server.listen(0, '127.0.0.1', () => {
  const address = server.server.address() as { port: number };
  process.stdout.write(`${address.port}\n`);
});
process.on('SIGTERM', () => {
  process.stderr.write(`received ${received}\n`);
  server.close(() => process.exit(0));
});
