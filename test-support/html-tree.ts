import MarkdownIt from 'markdown-it'

/**
 * Rendered Markdown as an element tree, for tests that check a document's structure (headings, lists and
 * their nesting, quotes, tables, links) rather than its text. markdown-it is a CommonMark renderer with GFM
 * tables; GitHub's alerts (`> [!CAUTION]`) stay blockquotes in it. The parser below reads markdown-it's
 * own output (well-formed, quoted attributes), not arbitrary HTML.
 */
export interface El {
  tag: string
  attrs: Record<string, string>
  children: Node[]
}
export type Node = El | string

const VOID = new Set(['br', 'hr', 'img', 'input'])
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: '\u00a0' }
const decode = (s: string): string => s.replace(/&(#?\w+);/g, (m, e: string) => ENTITIES[e] ?? m)

export function parseHtml(html: string): El {
  const root: El = { tag: '#root', attrs: {}, children: [] }
  const stack: El[] = [root]
  const re = /<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w-]+(?:="[^"]*")?)*)\s*(\/?)>|([^<]+)/g
  for (const m of html.matchAll(re)) {
    const top = stack[stack.length - 1]
    if (m[5] !== undefined) {
      top.children.push(decode(m[5]))
      continue
    }
    const tag = m[2].toLowerCase()
    if (m[1]) {
      if (top.tag !== tag) throw new Error(`</${tag}> closes <${top.tag}>`)
      stack.pop()
      continue
    }
    const attrs: Record<string, string> = {}
    for (const a of m[3].matchAll(/([\w-]+)(?:="([^"]*)")?/g)) attrs[a[1]] = decode(a[2] ?? '')
    const el: El = { tag, attrs, children: [] }
    top.children.push(el)
    if (!VOID.has(tag) && !m[4]) stack.push(el)
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1].tag}>`)
  return root
}

/** The Markdown rendered (raw HTML allowed, as GitHub allows <details> and <br>) and parsed. */
export function renderMarkdown(md: string): El {
  return parseHtml(new MarkdownIt({ html: true }).render(md))
}

export const isEl = (n: Node): n is El => typeof n !== 'string'

/** The element's child elements, optionally of one tag. */
export const kids = (el: El, tag?: string): El[] =>
  el.children.filter(isEl).filter(c => !tag || c.tag === tag)

/** Every descendant element with the tag, in document order. */
export function all(el: El, tag: string): El[] {
  return kids(el).flatMap(c => [...(c.tag === tag ? [c] : []), ...all(c, tag)])
}

const BLOCK = /^(p|li|tr|h[1-6]|pre|[uo]l|blockquote|table|thead|tbody|details|summary)$/

/**
 * The text inside, as a reader sees it: spaces collapsed, a line per block, list item and table row (and
 * per <br> or soft break), cells separated by a space.
 */
export function text(n: Node): string {
  const raw = (m: Node): string => {
    // markdown-it's line breaks between tags (cells, items) are not text a reader sees.
    if (typeof m === 'string') return m.trim() ? m : ' '
    if (m.tag === 'br') return '\n'
    const inner = m.children.map(raw).join('')
    return BLOCK.test(m.tag) ? `\n${inner}\n` : /^t[dh]$/.test(m.tag) ? `${inner} ` : inner
  }
  return raw(n)
    .replace(/[ \t]+/g, ' ')
    .replace(/ ?\n[\n ]*/g, '\n')
    .trim()
}

/** The direct text of each item of a list, without its nested lists. */
export const items = (list: El): string[] =>
  kids(list, 'li').map(li =>
    text({ ...li, children: li.children.filter(c => !isEl(c) || !/^[uo]l$/.test(c.tag)) })
  )

/** The top-level blocks of the document as `tag: text`, e.g. `h3: Plan`. */
export const outline = (root: El): string[] => kids(root).map(e => `${e.tag}: ${text(e).split('\n')[0]}`)

/** A table as rows of cell texts, the header row first. */
export const rows = (table: El): string[][] => all(table, 'tr').map(tr => kids(tr).map(c => text(c)))

/** The section under the h2/h3 whose text starts with `title`: the elements up to the next heading. */
export function section(root: El, title: string): El[] {
  const blocks = kids(root)
  const at = blocks.findIndex(b => /^h[1-6]$/.test(b.tag) && text(b).startsWith(title))
  if (at < 0) throw new Error(`no heading "${title}" in: ${outline(root).join(' | ')}`)
  const end = blocks.findIndex((b, i) => i > at && /^h[1-6]$/.test(b.tag))
  return blocks.slice(at + 1, end < 0 ? undefined : end)
}
