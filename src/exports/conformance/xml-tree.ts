// A small, strict XML parser for checking our own define.xml (elements, attributes, text, the five predefined
// entities and numeric character references). Rejects anything malformed instead of recovering: DTDs,
// unbalanced tags, duplicate attributes and stray '<' or '&' are errors.

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  readonly text: string;
}

export class XmlSyntaxError extends Error {
  override readonly name = 'XmlSyntaxError';
}

const NAME = '[A-Za-z_][A-Za-z0-9_.:-]*';
const TAG_RE = new RegExp(`^<(${NAME})((?:\\s+${NAME}\\s*=\\s*"[^"<]*")*)\\s*(/?)>`);
const ATTR_RE = new RegExp(`(${NAME})\\s*=\\s*"([^"<]*)"`, 'g');
const CLOSE_RE = new RegExp(`^</(${NAME})\\s*>`);

function decode(text: string): string {
  return text.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);|&/g, (m, ent: string | undefined) => {
    if (ent === undefined) throw new XmlSyntaxError('bare & in text');
    if (ent === 'amp') return '&';
    if (ent === 'lt') return '<';
    if (ent === 'gt') return '>';
    if (ent === 'quot') return '"';
    if (ent === 'apos') return "'";
    return String.fromCodePoint(ent.startsWith('#x') ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10));
  });
}

interface Building {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export function parseXml(xml: string): XmlElement {
  let i = 0;
  const skipProlog = () => {
    for (;;) {
      while (i < xml.length && /\s/.test(xml[i])) i++;
      if (xml.startsWith('<?', i)) {
        const end = xml.indexOf('?>', i);
        if (end < 0) throw new XmlSyntaxError('unterminated processing instruction');
        i = end + 2;
      } else if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i);
        if (end < 0) throw new XmlSyntaxError('unterminated comment');
        i = end + 3;
      } else if (xml.startsWith('<!', i)) {
        throw new XmlSyntaxError('DTDs are not accepted');
      } else return;
    }
  };
  skipProlog();
  const stack: Building[] = [];
  let root: XmlElement | undefined;
  while (i < xml.length) {
    if (root) {
      skipProlog();
      if (i < xml.length) throw new XmlSyntaxError('content after the root element');
      break;
    }
    if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i);
      if (end < 0) throw new XmlSyntaxError('unterminated comment');
      i = end + 3;
      continue;
    }
    if (xml.startsWith('</', i)) {
      const m = CLOSE_RE.exec(xml.slice(i, i + 200));
      const top = stack.pop();
      if (!m || !top || m[1] !== top.name) throw new XmlSyntaxError(`unexpected closing tag at ${i}`);
      i += m[0].length;
      const done: XmlElement = { name: top.name, attributes: top.attributes, children: top.children, text: top.text };
      if (stack.length === 0) root = done;
      else stack[stack.length - 1].children.push(done);
      continue;
    }
    if (xml[i] === '<') {
      const end = xml.indexOf('>', i);
      if (end < 0) throw new XmlSyntaxError('unterminated tag');
      const m = TAG_RE.exec(xml.slice(i, end + 1));
      if (!m) throw new XmlSyntaxError(`malformed tag at ${i}`);
      const attributes: Record<string, string> = {};
      for (const a of m[2].matchAll(ATTR_RE)) {
        if (a[1] in attributes) throw new XmlSyntaxError(`duplicate attribute ${a[1]}`);
        attributes[a[1]] = decode(a[2]);
      }
      i = end + 1;
      const el: Building = { name: m[1], attributes, children: [], text: '' };
      if (m[3] === '/') {
        const done: XmlElement = { name: el.name, attributes, children: [], text: '' };
        if (stack.length === 0) root = done;
        else stack[stack.length - 1].children.push(done);
      } else stack.push(el);
      continue;
    }
    const next = xml.indexOf('<', i);
    const raw = xml.slice(i, next < 0 ? xml.length : next);
    if (stack.length === 0) {
      if (raw.trim() !== '') throw new XmlSyntaxError('text outside the root element');
    } else stack[stack.length - 1].text += decode(raw);
    i = next < 0 ? xml.length : next;
  }
  if (!root || stack.length > 0) throw new XmlSyntaxError('unbalanced document');
  return root;
}

export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

export function textOf(el: XmlElement | undefined, path: string[]): string | undefined {
  let cur = el;
  for (const p of path) cur = cur?.children.find((c) => c.name === p);
  return cur?.text;
}
