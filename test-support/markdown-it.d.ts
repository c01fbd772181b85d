// The part of markdown-it (a devDependency, used by the summary tests) those tests call; markdown-it ships
// no types of its own.
declare module 'markdown-it' {
  interface Options {
    html?: boolean
    linkify?: boolean
  }
  export default class MarkdownIt {
    constructor(options?: Options)
    render(src: string): string
  }
}
