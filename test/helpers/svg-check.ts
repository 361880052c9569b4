/**
 * Structural SVG check for the plots of `kvhdl sweep` / `kvhdl report`: well-formed XML (every tag
 * closed in order, attributes quoted), an <svg> root in the SVG namespace with a size and viewBox,
 * and the drawn marks counted per mark type (vega's `mark-<type> role-mark` groups).
 */
export interface SvgFacts {
  width: number;
  height: number;
  /** Drawn elements per mark group type, e.g. { symbol: 12, line: 1 }. */
  marks: Record<string, number>;
  /** Text of every <text> element. */
  texts: string[];
}

const TAG = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"]*")*)\s*(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>/g;

export function checkSvg(svg: string): SvgFacts {
  const text = svg.trim();
  if (!text.startsWith('<svg')) throw new Error('SVG: does not start with <svg');
  const stack: { name: string; markType?: string }[] = [];
  const marks: Record<string, number> = {};
  const texts: string[] = [];
  let root: Record<string, string> | undefined;
  let last = 0;
  let textStart = -1;
  for (const m of text.matchAll(TAG)) {
    const between = text.slice(last, m.index);
    if (/[<>]/.test(between)) throw new Error(`SVG: stray markup at ${last}: ${between.slice(0, 40)}`);
    last = m.index + m[0].length;
    if (!m[2]) continue; // comment or declaration
    const [, closing, name, attrText, selfClosing] = m;
    const attrs = Object.fromEntries([...attrText.matchAll(/([\w:.-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]]));
    if (closing) {
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`SVG: </${name}> closes <${open?.name ?? 'nothing'}>`);
      if (name === 'text' && textStart >= 0) texts.push(text.slice(textStart, m.index).replace(/<[^>]*>/g, ''));
      continue;
    }
    if (!root) {
      if (name !== 'svg') throw new Error(`SVG: root element is <${name}>`);
      root = attrs;
    }
    const inherited = stack.at(-1)?.markType;
    const mt = /\bmark-(\w+) role-mark\b/.exec(attrs.class ?? '')?.[1];
    if (inherited && name !== 'g') marks[inherited] = (marks[inherited] ?? 0) + 1;
    if (name === 'text') textStart = m.index + m[0].length;
    if (!selfClosing) stack.push({ name, markType: mt ?? inherited });
  }
  if (stack.length) throw new Error(`SVG: <${stack.at(-1)!.name}> not closed`);
  if (text.slice(last).trim()) throw new Error('SVG: text after the root element');
  if (root!.xmlns !== 'http://www.w3.org/2000/svg') throw new Error('SVG: root not in the SVG namespace');
  const width = Number(root!.width);
  const height = Number(root!.height);
  if (!(width > 0 && height > 0) || !root!.viewBox) throw new Error('SVG: root without width, height and viewBox');
  return { width, height, marks, texts };
}
