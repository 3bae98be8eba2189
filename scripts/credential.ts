/** Prints the key named $2 from the credentials file $1 (start.sh hands each process its own). */
import { readFileSync } from 'node:fs';

const [file, name] = process.argv.slice(2);
const keys = (JSON.parse(readFileSync(file, 'utf8')) as { keys: { name: string; key: string }[] }).keys;
const found = keys.find((k) => k.name === name);
if (!found) {
  process.stderr.write(`no key named ${name} in ${file}\n`);
  process.exit(1);
}
process.stdout.write(found.key);
