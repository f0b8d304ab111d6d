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
  readonly file: string;
  readonly offset: number;
}

/** Every `/** ... *\/` block of src/, as markdown (leading `*` removed). */
function docComments(): DocComment[] {
  return sourceFiles(path.join(ROOT, 'src')).flatMap(file => {
    const source = fs.readFileSync(file, 'utf8');
    const relative = path.relative(ROOT, file);
    return [...source.matchAll(/\/\*\*([\s\S]*?)\*\//g)].map(match => ({
      file,
      offset: match.index ?? 0,
      where: `${relative}:${source.slice(0, match.index).split('\n').length}`,
      text: match[1].split('\n').map(l => l.replace(/^\s*\* ?/, '')).join('\n'),
    }));
  });
}

/** The doc comment's main text and the text of each tag (`@param x`, `@default`, ...). */
function parts(text: string): Array<{ tag: string; text: string }> {
  const [main, ...tags] = text.split(/^@/m);
  return [{ tag: 'main', text: main.trim() }, ...tags.map(tag => {
    const match = /^(\w+)(?:\s+|$)([\s\S]*)$/.exec(tag) ?? ['', tag, ''];
    return match[1] === 'param'
      ? { tag: `param ${match[2].split(/\s/)[0]}`, text: match[2].replace(/^\S+\s*/, '').trim() }
      : { tag: match[1], text: match[2].trim() };
  })];
}

/**
 * The summary jsii takes from a doc text: the first paragraph if it is short, else up to the
 * first '.', '?', '!' or ';' followed by whitespace (jsii's lib/docs.js `summaryLine`, not
 * exported by the package). Java shows only this of a parameter's docs.
 */
function jsiiSummary(text: string): string {
  const paragraphs = text.split(/(?:\r?\n){2}/);
  if (paragraphs.length > 1 && paragraphs[0].split(' ').length < 20) return paragraphs[0];
  return /^([^!?.;]+[!?.;][ \n\r])/.exec(text)?.[1] ?? paragraphs[0];
}

const API_MD = fs.readFileSync(path.join(ROOT, 'API.md'), 'utf8');

/**
 * The API.md section (from its anchor to the next `---`) of the declaration a doc comment
 * (or one of its `@param` tags) documents, or undefined when API.md has none: the
 * declaration is not public.
 */
function apiMdSection(file: string, offset: number, tag: string): string | undefined {
  const source = fs.readFileSync(file, 'utf8');
  const before = source.slice(0, offset);
  const declaration = source.slice(offset).replace(/^[\s\S]*?\*\//, '').split('\n').find(l => l.trim() !== '' && !l.trim().startsWith('//')) ?? '';
  const types = [...before.matchAll(/^export (?:declare )?(?:abstract )?(?:class|interface|enum) (\w+)/gm)];
  const enclosing = types[types.length - 1]?.[1];
  let anchor: string | undefined;
  const type = /^export (?:declare )?(?:abstract )?(?:class|interface|enum) (\w+)/.exec(declaration);
  const member = /^\s+(?:public |protected )?(?:static )?(?:readonly )?(?:abstract )?(?:get )?(\w+)(\??:|\(|\s*=)/.exec(declaration);
  if (type) {
    anchor = type[1];
  } else if (member && enclosing) {
    const name = member[1] === 'constructor' ? 'Initializer' : member[1];
    anchor = member[2].endsWith(':') ? `${enclosing}.property.${name}` : `${enclosing}.${name}`;
  }
  if (anchor === undefined) return undefined;
  if (tag.startsWith('param ')) anchor += `.parameter.${tag.slice('param '.length)}`;
  const start = API_MD.indexOf(`id="cdk-golden-ami.${anchor}"`);
  if (start < 0) return undefined;
  const end = API_MD.indexOf('\n---\n', start);
  return API_MD.slice(start, end < 0 ? undefined : end);
}

describe('doc comments in src/', () => {
  const comments = docComments();

  test('none holds text that CommonMark reads as an HTML tag (it vanishes from API.md, Python and Java docs)', () => {
    const tags = comments.flatMap(c => render(c.text).html.map(html => `${c.where}: ${html}`));
    expect(tags).toEqual([]);
  });

  test('no summary jsii takes from them ends inside a code span (`cron(0 4 ? * SUN *)` was cut at the `?`)', () => {
    const cut = comments.flatMap(c => parts(c.text)
      .filter(part => (jsiiSummary(part.text).split('`').length - 1) % 2 === 1)
      .map(part => `${c.where} ${part.tag}: ${jsiiSummary(part.text)}`));
    expect(cut).toEqual([]);
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

  test('shows every placeholder of the public doc comments in its declaration\'s section', () => {
    const checked: string[] = [];
    const lost = docComments().flatMap(c => parts(c.text).flatMap(part => {
      const wanted = [...part.text.matchAll(/<[A-Za-z][\w .-]*>/g)].map(m => m[0]);
      const section = wanted.length > 0 ? apiMdSection(c.file, c.offset, part.tag) : undefined;
      if (section === undefined) return [];
      checked.push(...wanted);
      const visible = render(section).visible;
      return wanted.filter(p => !visible.includes(p)).map(p => `${c.where} ${part.tag}: ${p}`);
    }));
    // The check must have something to check.
    expect(checked).toEqual(expect.arrayContaining(['<imageName>', '<OS>', '<recipe name>', '<management account>', '<day of week>']));
    expect(lost).toEqual([]);
  });
});
