// After `jsii-rosetta extract --strict` (the `rosetta:extract` task): every TypeScript block of
// README.md is in the tablet that ships with the package, compiled, and translated to Python,
// Java and Go. Rosetta itself checks only the blocks it finds in the assembly; this reads the
// README as a reader does, so a block it skips (a fence such as ```tsx) or an assembly built
// from an older README fails here, with the block's line.
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const LANGUAGES = ['python', 'java', 'go'];

interface Block {
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The fence's first word: `ts` is what jsii-rosetta compiles. */
  readonly language: string;
  /** The code, without the indentation of its fence (blocks in list items). */
  readonly code: string;
}

interface TabletSnippet {
  readonly didCompile?: boolean;
  readonly translations: Record<string, { readonly source: string }>;
}

/** Fenced code blocks of a CommonMark document that hold TypeScript or JavaScript. */
function scriptBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)(`{3,}|~{3,})\s*(\S*)/.exec(lines[i]);
    if (!fence) continue;
    const [, indent, marker, language] = fence;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j].trimStart().startsWith(marker)) {
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j].trimStart());
      j++;
    }
    if (/^(ts|typescript|tsx|js|javascript|jsx)$/i.test(language)) {
      blocks.push({ line: i + 1, language, code: normalize(body.join('\n')) });
    }
    i = j;
  }
  return blocks;
}

function normalize(code: string): string {
  return code.split('\n').map(line => line.trimEnd()).join('\n').trim();
}

function main(): void {
  const tabletFile = path.join(ROOT, '.jsii.tabl.json');
  if (!fs.existsSync(tabletFile)) {
    throw new Error(`${tabletFile} does not exist: run 'npx projen compile' and 'npx projen rosetta:extract'`);
  }
  const tablet: { snippets: Record<string, TabletSnippet> } = JSON.parse(fs.readFileSync(tabletFile, 'utf8'));
  const bySource = new Map<string, TabletSnippet>();
  for (const snippet of Object.values(tablet.snippets)) {
    bySource.set(normalize(snippet.translations.$.source), snippet);
  }

  const problems: string[] = [];
  const blocks = scriptBlocks(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  for (const block of blocks) {
    const where = `README.md:${block.line}`;
    if (block.language !== 'ts') {
      problems.push(`${where}: fence it as \`\`\`ts, the language jsii-rosetta compiles and translates (got '${block.language}')`);
      continue;
    }
    const snippet = bySource.get(block.code);
    if (!snippet) {
      problems.push(`${where}: not in ${path.basename(tabletFile)}; the assembly holds an older README (run 'npx projen compile', then 'npx projen rosetta:extract')`);
      continue;
    }
    if (!snippet.didCompile) problems.push(`${where}: did not compile`);
    for (const language of LANGUAGES) {
      const translation = snippet.translations[language]?.source;
      if (!translation) {
        problems.push(`${where}: no ${language} translation`);
        continue;
      }
      // jsii-rosetta writes a shorthand property `{ recipe }` as `Recipe: Recipe` in Go, a name
      // that does not exist there: spell the property out (`{ recipe: recipe }`).
      const shorthand = language === 'go' ? /^\s*([A-Z]\w*): \1,$/m.exec(translation) : null;
      if (shorthand) problems.push(`${where}: its Go translation reads '${shorthand[0].trim()}': write the property as '${lowerFirst(shorthand[1])}: ${lowerFirst(shorthand[1])}'`);
    }
  }
  if (blocks.length === 0) problems.push('README.md: no TypeScript block found');

  if (problems.length > 0) {
    console.error(`README examples not translated:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`README.md: ${blocks.length} TypeScript examples compiled and translated to ${LANGUAGES.join(', ')}`);
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

main();
