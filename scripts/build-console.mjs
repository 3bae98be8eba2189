// Bundles the operator console (apps/console: preact + htm, no CDN) into dist/console for the orchestrator to serve.
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.env.CONSOLE_ASSETS_DIR ?? join(root, 'dist/console');

await mkdir(out, { recursive: true });
await build({
  entryPoints: [join(root, 'apps/console/src/main.js')],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  outfile: join(out, 'console.js'),
  logLevel: 'warning',
});
await copyFile(join(root, 'apps/console/index.html'), join(out, 'index.html'));
await build({
  entryPoints: [join(root, 'apps/console/console.css')],
  bundle: true,
  minify: true,
  outfile: join(out, 'console.css'),
  logLevel: 'warning',
});
console.error(`console built into ${out}`);
