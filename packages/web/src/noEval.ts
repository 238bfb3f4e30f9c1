// Imported first, before any schema is built: the designer's Content-Security-Policy allows no
// eval, and zod (the schemas shared with the server) probes for it when it builds an object
// schema. It would fall back on its own, but only after a policy violation on every page load.
import { config } from 'zod';

config({ jitless: true });
