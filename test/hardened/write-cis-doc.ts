// Regenerates docs/cis-controls.md from the control data: npx ts-node -P tsconfig.dev.json test/hardened/write-cis-doc.ts
import * as fs from 'fs';
import * as path from 'path';
import { renderCisControlsMarkdown } from '../../src/hardened/cis-controls';

fs.writeFileSync(path.join(__dirname, '..', '..', 'docs', 'cis-controls.md'), renderCisControlsMarkdown());
