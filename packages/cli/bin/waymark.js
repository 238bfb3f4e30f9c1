#!/usr/bin/env -S node --max-semi-space-size=4
// The built JavaScript when there is one (the installed product, a Docker image, or a checkout
// after `npm run build`): plain node and production dependencies only. Without a build, the
// TypeScript sources, compiled on the fly by tsx (a dev dependency): the developer's way.
import { existsSync } from 'node:fs';
import { register } from 'node:module';

const built = new URL('../dist/main.js', import.meta.url);
let main;
if (existsSync(built)) {
  // The workspace packages export their sources by default (what tsx, vitest, vite and tsc read)
  // and their build under the "waymark-dist" condition, which this asks for.
  register('./useBuild.js', import.meta.url);
  ({ main } = await import(built.href));
} else {
  const { register: compileOnTheFly } = await import('tsx/esm/api');
  compileOnTheFly();
  ({ main } = await import('../src/main.ts'));
}
const code = await main(process.argv.slice(2));
// Exit explicitly, once the output is flushed: a stray handle (an idle pool socket, a timer)
// must not keep a finished command alive.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
