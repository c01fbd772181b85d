import type { DeployRequest } from '../model/request.js'

/** The GitHub environment a preview deploys to: one per preview, e.g. `preview/pr-12`. */
export function previewEnvironment(previewId: string): string {
  return `preview/${previewId}`
}

/** A preview's own environment, else the service's name (the environment of a plain deploy). */
export function environmentFor(request: DeployRequest): string {
  return request.preview ? previewEnvironment(request.preview.id) : request.service.serviceName
}

/** The hidden line by which the PR comment of an environment is found again. */
export function commentMarker(environment: string): string {
  return `<!-- ecs-alb-deploy:${environment} -->`
}

const MARKER_PATTERN = /<!-- ecs-alb-deploy:[^\n]*? -->/

export function markerIn(body: string): string | undefined {
  return MARKER_PATTERN.exec(body)?.[0]
}
