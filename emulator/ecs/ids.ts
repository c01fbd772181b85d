import { randomBytes, randomInt } from 'node:crypto'

export const hex = (chars: number): string =>
  randomBytes(Math.ceil(chars / 2))
    .toString('hex')
    .slice(0, chars)

/** ECS deployment ids are `ecs-svc/` and 19 digits. */
export const deploymentId = (): string => {
  let digits = String(randomInt(1, 10))
  while (digits.length < 19) digits += String(randomInt(0, 10))
  return `ecs-svc/${digits}`
}

export interface ArnScope {
  region: string
  accountId: string
}

const base = (s: ArnScope) => `arn:aws:ecs:${s.region}:${s.accountId}`

export const arns = {
  cluster: (s: ArnScope, name: string) => `${base(s)}:cluster/${name}`,
  service: (s: ArnScope, cluster: string, name: string) => `${base(s)}:service/${cluster}/${name}`,
  task: (s: ArnScope, cluster: string, id: string) => `${base(s)}:task/${cluster}/${id}`,
  taskDefinition: (s: ArnScope, family: string, revision: number) =>
    `${base(s)}:task-definition/${family}:${revision}`,
  containerInstance: (s: ArnScope, cluster: string, id: string) =>
    `${base(s)}:container-instance/${cluster}/${id}`,
  container: (s: ArnScope, cluster: string, taskId: string) =>
    `${base(s)}:container/${cluster}/${taskId}/${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`
}

/**
 * A deployment's service deployment and service revision ARNs: the digits of its `ecs-svc/` id under
 * the cluster and service.
 */
export function serviceDeploymentArns(
  s: ArnScope,
  cluster: string,
  service: string,
  deployment: string
): { deployment: string; revision: string } {
  const path = `${cluster}/${service}/${deployment.replace('ecs-svc/', '')}`
  return {
    deployment: `${base(s)}:service-deployment/${path}`,
    revision: `${base(s)}:service-revision/${path}`
  }
}

/** The last path segment of an ARN, or the value itself when it is a plain name. */
export const nameOf = (nameOrArn: string): string =>
  nameOrArn.startsWith('arn:') ? nameOrArn.split('/').pop()! : nameOrArn
