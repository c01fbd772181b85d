import { describe, expect, test } from '@jest/globals'
import { renderPrComment } from '../../../src/github/render-comment.js'
import { pausedLine } from '../../../src/model/deployment-strategy.js'
import { renderSummary, type SummaryData } from '../../../src/report/summary.js'

const paused = {
  hookId: 'ecs-pause-1a2b',
  lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT',
  serviceDeploymentArn: 'arn:aws:ecs:ap-northeast-1:123456789012:service-deployment/ecs-demo/web/42',
  testUrl: 'http://alb-demo-1.ap-northeast-1.elb.amazonaws.com:9000/'
}

/** A successful deploy's job summary, with what the watch ended at. */
const summaryOf = (end: Pick<SummaryData, 'paused' | 'stoppedWaitingAt'>): string =>
  renderSummary({
    cluster: 'ecs-demo',
    serviceName: 'web',
    region: 'ap-northeast-1',
    outcome: 'success',
    timings: [],
    ...end
  })

describe('the promotion gate in the reports', () => {
  test('the job summary says paused, with the hook, the test URL and how to promote', () => {
    const md = summaryOf({ paused })
    expect(md).toMatch(/^## ⏸️ web on ecs-demo: paused at POST_TEST_TRAFFIC_SHIFT, waiting for promote/)
    expect(md).toContain('| Hook | `ecs-pause-1a2b` |')
    expect(md).toContain(`| Test URL | ${paused.testUrl} |`)
    expect(md).toContain('`promote: continue`')
  })

  test('wait-until: the job summary says where the step stopped waiting and that ECS carries on', () => {
    const md = summaryOf({ stoppedWaitingAt: 'BAKE_TIME' })
    expect(md).toMatch(
      /^## ✅ web on ecs-demo: deploying, stopped waiting at BAKE_TIME \(wait-until\); ECS continues on its own/
    )
  })

  test('the PR comment says paused, with the hook and the test URL', () => {
    const body = renderPrComment({
      previewId: 'web',
      environment: 'production',
      sha: '0123456789abcdef',
      planLines: [],
      outcome: 'paused',
      paused
    })
    expect(body).toContain('### ⏸️ `web` is paused at the promotion gate')
    expect(body).toContain('| Hook | `ecs-pause-1a2b` (POST_TEST_TRAFFIC_SHIFT) |')
    expect(body).toContain(`| Test URL | ${paused.testUrl} |`)
  })

  test('the GitHub deployment status line names the stage, the hook and the way on', () => {
    expect(pausedLine(paused)).toBe(
      'Paused at POST_TEST_TRAFFIC_SHIFT (hook ecs-pause-1a2b): promote: continue or rollback'
    )
  })
})
