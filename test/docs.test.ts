import * as fs from 'fs';
import * as path from 'path';
import { markDownToJavaDoc, markDownToStructure } from 'jsii-rosetta';

// The generated docs of every language come from the doc comments read as CommonMark: API.md
// (jsii-docgen), Python docstrings (jsii-pacmak's md2rst) and Javadoc (jsii-rosetta). Text
// like `<imageName>` outside a code span parses as an HTML tag there, and the reader never
// sees it. These tests read the docs as the renderers do (jsii-rosetta's CommonMark parse).

const ROOT = path.join(__dirname, '..');

/** The HTML tags jsii-docgen writes into API.md itself. */
const DOCGEN_TAGS = new Set(['a', 'code', 'sup', 'br', 'span', 'details', 'summary', 'p', 'b', 'i', 'em', 'strong']);

interface Rendered {
  /** The text a reader sees: text and code spans, HTML tags dropped. */
  readonly visible: string;
  /** Every inline or block HTML the parser found. */
  readonly html: string[];
}

/** Parses markdown as the doc renderers do (CommonMark) and returns what a reader sees. */
function render(markdown: string): Rendered {
  const visible: string[] = [];
  const html: string[] = [];
  for (const line of markDownToStructure(markdown).split('\n')) {
    // Leaf nodes print as `(type {"literal":"..."})` on one line.
    const node = /^\s*\((\w+) (\{.*\})\)$/.exec(line);
    if (!node) {
      // A block opens or closes: keep paragraphs apart.
      visible.push('\n');
      continue;
    }
    const literal: string = JSON.parse(node[2]).literal ?? '';
    switch (node[1]) {
      case 'text':
      case 'code':
      case 'code_block':
        visible.push(literal);
        break;
      case 'softbreak':
        visible.push(' ');
        break;
      case 'linebreak':
        visible.push('\n');
        break;
      case 'html_inline':
      case 'html_block':
        html.push(literal.trim());
        break;
    }
  }
  return { visible: visible.join(''), html };
}

function tagName(html: string): string {
  return (/^<\/?([A-Za-z][\w-]*)/.exec(html)?.[1] ?? html).toLowerCase();
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [file] : [];
  });
}

interface DocComment {
  readonly where: string;
  readonly text: string;
}

/** Every `/** ... *\/` block of src/, as markdown (leading `*` removed). */
function docComments(): DocComment[] {
  return sourceFiles(path.join(ROOT, 'src')).flatMap(file => {
    const source = fs.readFileSync(file, 'utf8');
    const relative = path.relative(ROOT, file);
    return [...source.matchAll(/\/\*\*([\s\S]*?)\*\//g)].map(match => ({
      where: `${relative}:${source.slice(0, match.index).split('\n').length}`,
      text: match[1].split('\n').map(l => l.replace(/^\s*\* ?/, '')).join('\n'),
    }));
  });
}

interface Docs { readonly [field: string]: string | undefined }
interface Documented { readonly name?: string; readonly docs?: Docs; readonly parameters?: Documented[] }
interface AssemblyType extends Documented {
  readonly properties?: Documented[];
  readonly methods?: Documented[];
  readonly initializer?: Documented;
  readonly members?: Documented[];
}

/**
 * Every doc field (summary, remarks, default, ...) of the public API, as jsii recorded it in
 * the assembly API.md and the Python and Java packages are generated from.
 */
function assemblyDocs(): DocComment[] {
  const file = path.join(ROOT, '.jsii');
  if (!fs.existsSync(file)) throw new Error('.jsii is missing: run `npx projen compile` before this test');
  const types: { [fqn: string]: AssemblyType } = JSON.parse(fs.readFileSync(file, 'utf8')).types;
  const fields = (where: string, item?: Documented): DocComment[] =>
    Object.entries(item?.docs ?? {}).flatMap(([field, text]) => typeof text === 'string' ? [{ where: `${where} ${field}`, text }] : []);
  return Object.entries(types).flatMap(([fqn, type]) => [
    ...fields(fqn, type),
    ...[...type.properties ?? [], ...type.members ?? []].flatMap(p => fields(`${fqn}.${p.name}`, p)),
    ...[...type.methods ?? [], ...type.initializer ? [{ ...type.initializer, name: '<init>' }] : []].flatMap(m => [
      ...fields(`${fqn}.${m.name}`, m),
      ...(m.parameters ?? []).flatMap(p => fields(`${fqn}.${m.name}(${p.name})`, p)),
    ]),
  ]);
}

/** The `<word>` placeholders written in code spans of a doc comment. */
function placeholders(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].flatMap(span => [...span[1].matchAll(/<[A-Za-z][\w .-]*>/g)].map(m => m[0]));
}

describe('doc comments in src/', () => {
  const comments = docComments();

  test('none holds text that CommonMark reads as an HTML tag (it vanishes from API.md, Python and Java docs)', () => {
    const tags = comments.flatMap(c => render(c.text).html.map(html => `${c.where}: ${html}`));
    expect(tags).toEqual([]);
  });

  test('their placeholders stay visible in Javadoc', () => {
    const lost = comments.flatMap(c => {
      const javadoc = markDownToJavaDoc(c.text);
      return [...c.text.matchAll(/<[A-Za-z][\w .-]*>/g)].map(m => m[0])
        .filter(p => !javadoc.includes(p.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
        .map(p => `${c.where}: ${p}`);
    });
    expect(lost).toEqual([]);
  });
});

describe('the assembly (.jsii) the docs of every language come from', () => {
  test('no doc summary ends inside a code span', () => {
    // jsii ends a summary at the first '.', '?', '!' or ';' followed by a space, even inside a
    // code span (`cron(0 4 ? * SUN *)` became `cron(0 4 ?`); Java shows only a parameter's summary.
    const cut = assemblyDocs().filter(c => c.where.endsWith(' summary') && (c.text.split('`').length - 1) % 2 === 1);
    expect(cut.map(c => `${c.where}: ${c.text}`)).toEqual([]);
  });

  test('holds the cron example whole in the docs of PipelineSchedule.expression', () => {
    const expression = assemblyDocs().filter(c => c.where.startsWith('cdk-golden-ami.PipelineSchedule.expression'));
    expect(expression.map(c => c.text).join('\n')).toContain('`cron(0 4 ? * SUN *)`');
  });
});

describe('API.md', () => {
  const apiMd = render(fs.readFileSync(path.join(ROOT, 'API.md'), 'utf8'));

  test('has no HTML tags but the ones jsii-docgen writes', () => {
    expect([...new Set(apiMd.html.filter(html => !DOCGEN_TAGS.has(tagName(html))))]).toEqual([]);
  });

  test('shows the defaults of amiName, ssmParameterName and the recipe description whole', () => {
    expect(apiMd.visible).not.toContain('//latest');
    expect(apiMd.visible).not.toMatch(/'-\{\{ imagebuilder:buildDate \}\}/);
    expect(apiMd.visible).not.toContain("' , hardening");
    expect(apiMd.visible).toContain("'/golden-ami/<imageName>/latest'");
    expect(apiMd.visible).toContain("'<imageName>-{{ imagebuilder:buildDate }}'");
    expect(apiMd.visible).toContain("'<OS> <architecture>, <hardening> hardening, with agents'");
  });

  test('shows the cron example whole', () => {
    expect(apiMd.visible).toContain('cron(0 4 ? * SUN *)');
  });

  test('shows every placeholder of the public doc comments', () => {
    const all = [...new Set(assemblyDocs().flatMap(c => placeholders(c.text)))];
    // The check must have something to check.
    expect(all).toEqual(expect.arrayContaining(['<imageName>', '<OS>', '<recipe name>', '<management account>']));
    expect(all.filter(p => !apiMd.visible.includes(p))).toEqual([]);
  });
});
