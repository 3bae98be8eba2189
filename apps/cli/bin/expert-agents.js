#!/usr/bin/env node
// `npx expert-agents …` from the repository: the built CLI when present, else the TypeScript source.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..', '..');
const built = join(root, 'dist', 'apps', 'cli', 'apps', 'cli', 'src', 'main.js');
if (existsSync(built)) {
  require(built);
} else {
  require(require.resolve('ts-node', { paths: [root] })).register({
    transpileOnly: true,
    project: join(root, 'tsconfig.json'),
  });
  require(join(root, 'apps', 'cli', 'src', 'main.ts'));
}
