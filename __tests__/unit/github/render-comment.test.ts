import { commentMarker, previewEnvironment, renderPrComment } from '../../../src/github/index.js'
import { markerIn } from '../../../src/github/environment.js'

const SHA = '0123456789abcdef0123456789abcdef01234567'

describe('renderPrComment', () => {
  test('a deployed preview: marker first, URL, short commit, target health, plan', () => {
    const body = renderPrComment({
      previewId: 'pr-12',
      url: 'http://pr-12.preview.example.com/',
      sha: SHA,
      outcome: 'success',
      targets: [
        {
          targetGroupArn: 'arn:tg',
          descriptions: [
            { Target: { Id: '10.0.0.1', Port: 8080 }, TargetHealth: { State: 'healthy' } },
            {
              Target: { Id: '10.0.0.2', Port: 8080 },
              TargetHealth: { State: 'unhealthy', Reason: 'Target.ResponseCodeMismatch' }
            }
          ]
        }
      ],
      planLines: ['~ service web-pr-12: update', '    taskDefinition: web-pr-12:3 → web-pr-12:4']
    })
    expect(body.split('\n')[0]).toBe('<!-- ecs-alb-deploy:preview/pr-12 -->')
    expect(body).toBe(
      [
        '<!-- ecs-alb-deploy:preview/pr-12 -->',
        '### ✅ Preview `pr-12` is deployed',
        '',
        '| | |',
        '| --- | --- |',
        '| URL | http://pr-12.preview.example.com/ |',
        '| Commit | `0123456` |',
        '| Environment | `preview/pr-12` |',
        '| Targets | 1/2 healthy<br>`10.0.0.1:8080` healthy<br>`10.0.0.2:8080` unhealthy (Target.ResponseCodeMismatch) |',
        '',
        '<details><summary>Plan</summary>',
        '',
        '```',
        '~ service web-pr-12: update',
        '    taskDefinition: web-pr-12:3 → web-pr-12:4',
        '```',
        '',
        '</details>',
        ''
      ].join('\n')
    )
  })

  test('a failure shows the diagnosis first, escaped', () => {
    const body = renderPrComment({
      previewId: 'pr-3',
      sha: SHA,
      outcome: 'failure',
      planLines: [],
      failure: 'Targets cycle unhealthy → draining\nGET /health answered 404 | expected <200>'
    })
    expect(body).toContain('### ❌ Preview `pr-3` failed to deploy')
    expect(body).toContain('> **Targets cycle unhealthy → draining**')
    expect(body).toContain('> GET /health answered 404 \\| expected &lt;200&gt;')
    expect(body).not.toContain('<details>')
  })

  test('a plan line with backticks cannot close the fence', () => {
    const body = renderPrComment({
      previewId: 'pr-1',
      sha: SHA,
      outcome: 'dry-run',
      planLines: ['command: ```rm```']
    })
    expect(body).toContain('````\ncommand: ```rm```\n````')
  })

  test('after teardown: what was removed, no URL or targets', () => {
    const body = renderPrComment({
      previewId: 'pr-12',
      url: 'http://x/',
      sha: SHA,
      outcome: 'deleted',
      planLines: [],
      targets: [],
      removed: ['listener rule arn:r (priority 1012)', 'service web-pr-12 (scaled to 0, deleted)']
    })
    expect(body).toContain('🧹 Preview `pr-12` was removed')
    expect(body).toContain('- service web-pr-12 (scaled to 0, deleted)')
    expect(body).not.toContain('| URL |')
    expect(body).not.toContain('| Targets |')
  })

  test('the marker is found again in the body, per environment', () => {
    const body = renderPrComment({ previewId: 'pr-9', sha: SHA, outcome: 'success', planLines: [] })
    expect(markerIn(body)).toBe(commentMarker(previewEnvironment('pr-9')))
    expect(markerIn(body)).not.toBe(commentMarker(previewEnvironment('pr-90')))
  })
})
