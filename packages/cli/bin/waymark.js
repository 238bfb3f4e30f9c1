#!/usr/bin/env -S node --max-semi-space-size=4
// There is no build step: the sources are TypeScript, compiled on the fly by tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
const code = await main(process.argv.slice(2));
// Exit explicitly, once the output is flushed: a stray handle (an idle pool socket, a timer)
// must not keep a finished command alive.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
