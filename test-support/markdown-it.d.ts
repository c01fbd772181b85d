// The part of markdown-it (a devDependency, used by the summary tests and scripts/render-summary.ts) that
// they call; markdown-it ships no types of its own.
declare module 'markdown-it' {
  interface Options {
    html?: boolean
    linkify?: boolean
  }
  export interface Token {
    type: string
    tag: string
    content: string
    children: Token[] | null
    attrSet(name: string, value: string): void
  }
  export interface StateCore {
    tokens: Token[]
    Token: new (type: string, tag: string, nesting: number) => Token
  }
  export default class MarkdownIt {
    constructor(options?: Options)
    render(src: string): string
    core: { ruler: { after(after: string, name: string, rule: (state: StateCore) => void): void } }
  }
}
