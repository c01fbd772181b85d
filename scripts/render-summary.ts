/**
 * Renders example job summaries as GitHub shows them, for a person to look at: each summary in
 * test-support/summary-examples.ts goes through the same CommonMark renderer the tests use (markdown-it,
 * with GFM tables and GitHub's alerts), into an HTML page styled like github.com, and, when a headless
 * Chromium is on the machine, a PNG screenshot of it.
 *
 *   npm run render-summary                 # .tmp/summary/<name>.html and .png
 *   CHROME=/path/to/chrome npm run render-summary
 *
 * The output folder is git-ignored; docs/summary-*.png are copies of two of these.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import MarkdownIt from 'markdown-it'
import { renderSummary } from '../src/report/summary.js'
import { summaryExamples } from '../test-support/summary-examples.js'

const OUT = path.resolve(process.env.OUT_DIR ?? '.tmp/summary')
const WIDTH = 1012

// Markdown-it keeps `> [!CAUTION]` a block quote; GitHub turns it into a coloured alert with a title.
const ALERTS: Record<string, string> = {
  NOTE: 'ⓘ Note',
  TIP: '💡 Tip',
  IMPORTANT: '❗ Important',
  WARNING: '⚠ Warning',
  CAUTION: '⊘ Caution'
}

function githubAlerts(md: MarkdownIt): void {
  md.core.ruler.after('inline', 'github-alerts', state => {
    const tokens = state.tokens
    for (let i = 0; i < tokens.length; i++) {
      if (tokens[i].type !== 'blockquote_open' || tokens[i + 2]?.type !== 'inline') continue
      const inline = tokens[i + 2]
      const m = /^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*/.exec(inline.content)
      if (!m) continue
      const kind = m[1]
      // The blockquote's closing token: the next blockquote_close at the same nesting level.
      let depth = 0
      let close = i
      for (let j = i; j < tokens.length; j++) {
        if (tokens[j].type === 'blockquote_open') depth++
        if (tokens[j].type === 'blockquote_close' && --depth === 0) {
          close = j
          break
        }
      }
      tokens[i].tag = tokens[close].tag = 'div'
      tokens[i].attrSet('class', `markdown-alert markdown-alert-${kind.toLowerCase()}`)
      // The marker and the line break after it leave the paragraph; the title goes before it.
      const children = inline.children ?? []
      children[0].content = children[0].content.replace(/^\[!\w+\]\s*/, '')
      if (!children[0].content && children[1]?.type === 'softbreak') children.splice(0, 2)
      const title = new state.Token('html_block', '', 0)
      title.content = `<p class="markdown-alert-title">${ALERTS[kind]}</p>\n`
      tokens.splice(i + 1, 0, title)
    }
  })
}

// The parts of github.com's Markdown style (light theme) a summary uses.
const CSS = `
body { margin: 0; background: #fff; }
.markdown-body { box-sizing: border-box; width: ${WIDTH}px; padding: 16px 24px 24px; color: #1f2328;
  font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif, "Noto Color Emoji"; }
h2 { font-size: 1.5em; font-weight: 600; margin: 24px 0 16px; padding-bottom: .3em; border-bottom: 1px solid #d1d9e0b3; }
h3 { font-size: 1.25em; font-weight: 600; margin: 24px 0 16px; }
h2:first-child { margin-top: 0; }
p, ul, table, pre, details, .markdown-alert { margin: 0 0 16px; }
ul { padding-left: 2em; } ul ul { margin: 0; } li + li { margin-top: .25em; }
a { color: #0969da; text-decoration: none; }
code, pre { font: 12px/1.45 ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; }
code { padding: .2em .4em; background: #818b981f; border-radius: 6px; }
pre { padding: 16px; background: #f6f8fa; border-radius: 6px; overflow: auto; }
pre code { padding: 0; background: none; }
table { border-spacing: 0; border-collapse: collapse; display: block; width: max-content; max-width: 100%; overflow: auto; }
th, td { padding: 6px 13px; border: 1px solid #d1d9e0; } th { font-weight: 600; }
tr { background: #fff; border-top: 1px solid #d1d9e0b3; } tr:nth-child(2n) { background: #f6f8fa; }
details summary { cursor: pointer; } details[open] summary { margin-bottom: 16px; }
blockquote { margin: 0 0 16px; padding: 0 1em; color: #59636e; border-left: .25em solid #d1d9e0; }
.markdown-alert { padding: 8px 16px; border-left: .25em solid; color: inherit; }
.markdown-alert > :last-child { margin-bottom: 0; }
.markdown-alert-title { font-weight: 500; margin-bottom: 4px; }
.markdown-alert-note { border-color: #0969da; } .markdown-alert-note .markdown-alert-title { color: #0969da; }
.markdown-alert-tip { border-color: #1a7f37; } .markdown-alert-tip .markdown-alert-title { color: #1a7f37; }
.markdown-alert-important { border-color: #8250df; } .markdown-alert-important .markdown-alert-title { color: #8250df; }
.markdown-alert-warning { border-color: #9a6700; } .markdown-alert-warning .markdown-alert-title { color: #9a6700; }
.markdown-alert-caution { border-color: #d1242f; } .markdown-alert-caution .markdown-alert-title { color: #d1242f; }
`

/** A page whose height the browser writes into the DOM, so the screenshot can be exactly as tall. */
const page = (title: string, body: string): string => `<!doctype html>
<html><head><meta charset="utf-8"><title>${title}</title><style>${CSS}</style></head>
<body><div class="markdown-body">
${body}</div>
<script>document.body.dataset.height = String(document.querySelector('.markdown-body').scrollHeight)</script>
</body></html>
`

function findChrome(): string | undefined {
  if (process.env.CHROME) return process.env.CHROME
  for (const name of ['chromium-headless-shell', 'chromium', 'google-chrome', 'chrome']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined
    } catch {
      // not this one
    }
  }
  return undefined
}

function screenshot(chrome: string, html: string, png: string): void {
  const common = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--hide-scrollbars',
    '--force-device-scale-factor=1'
  ]
  const url = `file://${html}`
  const dom = execFileSync(chrome, [...common, `--window-size=${WIDTH},800`, '--dump-dom', url], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore']
  })
  const height = Number(/data-height="(\d+)"/.exec(dom)?.[1] ?? 2000)
  execFileSync(chrome, [...common, `--window-size=${WIDTH},${height}`, `--screenshot=${png}`, url], {
    stdio: 'ignore'
  })
}

const md = new MarkdownIt({ html: true })
githubAlerts(md)
mkdirSync(OUT, { recursive: true })
const chrome = findChrome()
for (const [name, data] of Object.entries(summaryExamples)) {
  const markdown = renderSummary(data)
  const html = path.join(OUT, `${name}.html`)
  writeFileSync(path.join(OUT, `${name}.md`), markdown)
  writeFileSync(html, page(name, md.render(markdown)))
  if (chrome) screenshot(chrome, html, path.join(OUT, `${name}.png`))
  console.log(`${name}: ${path.relative(process.cwd(), html)}${chrome ? ' (+ .png)' : ''}`)
}
if (!chrome) console.log('No headless Chromium found (set CHROME=…): HTML only.')
else if (!existsSync(path.join(OUT, 'success.png'))) process.exitCode = 1
