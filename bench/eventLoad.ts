// The client side of the event-latency benchmark, in its own process so that it does not compete
// with the server for the event loop: POSTs one event a contact (c1..cN) at a steady rate and
// prints, as one JSON line, when each was accepted (epoch ms, the clock PostgreSQL reads too).
const [url, key, rateText, countText] = process.argv.slice(2) as [string, string, string, string];
const rate = Number(rateText);
const count = Number(countText);
const epochMs = () => performance.timeOrigin + performance.now();
const accepted: Record<string, number> = {};
let failed = 0;
const inFlight: Promise<void>[] = [];
const started = performance.now();
for (let n = 0; n < count; n += 1) {
  const wait = started + (n * 1000) / rate - performance.now();
  if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
  const contactId = `c${n + 1}`;
  inFlight.push(
    fetch(`${url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ contactId, type: 'ping', properties: { ok: true, n } }),
    }).then(
      async (response) => {
        await response.arrayBuffer();
        if (response.status === 202) accepted[contactId] = epochMs();
        else failed += 1;
      },
      () => {
        failed += 1;
      },
    ),
  );
}
await Promise.all(inFlight);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ accepted, failed, achievedRate: Math.round(count / seconds) })}\n`);
