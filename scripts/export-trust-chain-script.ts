// Writes the trust chain's Python module (TRUST_CHAIN_SCRIPT) to the file named by the first
// argument, so test-trust/ imports and runs exactly the string the Automation documents embed.
//   ts-node --project tsconfig.dev.json scripts/export-trust-chain-script.ts <file.py>
import * as fs from 'fs';
import { TRUST_CHAIN_SCRIPT } from '../src/trust/private/trust-chain-script';

const target = process.argv[2];
if (!target) {
  throw new Error('usage: export-trust-chain-script.ts <file.py>');
}
fs.writeFileSync(target, TRUST_CHAIN_SCRIPT);
