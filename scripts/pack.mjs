#!/usr/bin/env node
// Packs the built product into one npm tarball, `waymark-<version>.tgz`, that installs and runs
// with `npm install --omit=dev` and plain node: the CLI at the top, the internal packages (core,
// engine, server and the designer's static build) bundled inside it, and the third-party packages
// their compiled code imports as ordinary dependencies, pinned to the versions tested here.
//
// Usage: npm run build && node scripts/pack.mjs [destination-folder]   (default: .pack/)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const destination = path.resolve(process.argv[2] ?? path.join(root, '.pack'));
const stage = path.join(destination, 'stage');
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

const INTERNAL = ['core', 'engine', 'server', 'web'];
for (const name of [...INTERNAL, 'cli']) {
  if (!existsSync(path.join(root, 'packages', name, 'dist'))) throw new Error(`packages/${name}/dist is missing: run "npm run build" first`);
}

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

/** Every file under `dir` whose name ends in `.js`. */
function scripts(dir) {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((file) => path.join(dir, file))
    .filter((file) => file.endsWith('.js') && statSync(file).isFile());
}

/** The npm packages compiled code imports (`a` of `a/sub`, `@s/a` of `@s/a/sub`), builtins left out. */
function importedPackages(dir) {
  const names = new Set();
  // Static import and export statements (tsc emits them at the start of a line; the compiled code
  // has no dynamic imports of packages).
  const statement = /^(?:import|export)\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]|^import\s*['"]([^'"]+)['"]/gm;
  for (const file of scripts(dir)) {
    for (const [, from, bare] of readFileSync(file, 'utf8').matchAll(statement)) {
      const spec = from ?? bare;
      if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec)) continue;
      names.add(spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/'));
    }
  }
  return names;
}

// The internal packages, as built: a package.json and dist/ each.
const cli = readJson(path.join(root, 'packages/cli/package.json'));
const thirdParty = new Set();
for (const name of [...INTERNAL, 'cli']) {
  const from = path.join(root, 'packages', name);
  const to = name === 'cli' ? stage : path.join(stage, 'node_modules', '@waymark', name);
  mkdirSync(to, { recursive: true });
  cpSync(path.join(from, 'dist'), path.join(to, 'dist'), { recursive: true, filter: (file) => !file.endsWith('.tsbuildinfo') });
  if (name !== 'web') for (const dependency of importedPackages(path.join(from, 'dist'))) thirdParty.add(dependency);
  if (name === 'cli') continue;
  // Only the build is shipped, so it is what the package exports, to plain node and anyone else.
  const { version, type } = readJson(path.join(from, 'package.json'));
  const exports = name === 'web' ? undefined : { '.': './dist/index.js' };
  writeFileSync(path.join(to, 'package.json'), `${JSON.stringify({ name: `@waymark/${name}`, version, type, exports }, null, 2)}\n`);
}
cpSync(path.join(root, 'packages/cli/bin'), path.join(stage, 'bin'), { recursive: true });

const internalNames = INTERNAL.map((name) => `@waymark/${name}`);
const dependencies = {};
for (const name of [...thirdParty].filter((dependency) => !internalNames.includes(dependency)).sort()) {
  const installed = path.join(root, 'node_modules', name, 'package.json');
  if (!existsSync(installed)) throw new Error(`the build imports "${name}", which is not installed`);
  dependencies[name] = readJson(installed).version;
}
for (const name of internalNames) dependencies[name] = readJson(path.join(stage, 'node_modules', name, 'package.json')).version;

const rootPackage = readJson(path.join(root, 'package.json'));
const product = {
  name: 'waymark',
  version: cli.version,
  description: rootPackage.description,
  type: 'module',
  engines: rootPackage.engines,
  bin: { waymark: 'bin/waymark.js' },
  files: ['bin', 'dist'],
  dependencies,
  bundleDependencies: internalNames,
};
writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(product, null, 2)}\n`);

const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', destination], { cwd: stage, encoding: 'utf8' }));
console.log(path.join(destination, packed.filename));
