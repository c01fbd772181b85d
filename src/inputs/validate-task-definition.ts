import type { ContainerDefinition, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs'
import type { TaskDefinitionRequest } from '../model/request.js'
import { InputError } from './errors.js'
import { TASK_DEFINITION_ARN, TASK_DEFINITION_FAMILY_REVISION, ecsNameProblem } from './identifiers.js'
import type { DocumentInput } from './parse-document.js'
import { checkTags } from './scalars.js'
import { checkShape } from './schema.js'
import { taskDefinitionShape } from './shapes.js'
import { registerInput } from '../model/task-definition.js'
import { checkFargate, checkReservations } from './validate-fargate.js'

const INPUT = 'task-definition'

export type TaskDefinitionInput = RegisterTaskDefinitionCommandInput & { family: string }

/**
 * A RegisterTaskDefinition document (or DescribeTaskDefinition output), or a reference. Empty: the
 * service JSON's own `taskDefinition`, checked as a reference under the service input.
 */
export function validateTaskDefinition(
  doc: DocumentInput,
  serviceTaskDefinition: unknown
): TaskDefinitionRequest {
  if (doc.kind === 'empty') {
    if (typeof serviceTaskDefinition !== 'string' || serviceTaskDefinition === '') {
      throw new InputError(
        INPUT,
        undefined,
        'is empty and the service has no taskDefinition: give a task definition file, family:revision or ARN'
      )
    }
    return {
      kind: 'reference',
      ref: checkReference(serviceTaskDefinition, { input: 'service', field: 'taskDefinition' })
    }
  }
  if (doc.kind === 'reference') return { kind: 'reference', ref: checkReference(doc.ref, { input: INPUT }) }
  const td = checkShape(taskDefinitionShape, registerInput(doc.value), { input: INPUT })
  checkDefinition(td)
  return { kind: 'register', input: td as TaskDefinitionInput, source: doc.source }
}

function checkReference(ref: string, at: { input: string; field?: string }): string {
  if (TASK_DEFINITION_ARN.test(ref) || TASK_DEFINITION_FAMILY_REVISION.test(ref)) return ref
  const what = at.field ? '' : 'is no existing file, no inline JSON/YAML, and '
  throw new InputError(
    at.input,
    at.field,
    `${what}not a task definition family, family:revision or task definition ARN: ${JSON.stringify(ref)}`
  )
}

function checkDefinition(td: RegisterTaskDefinitionCommandInput): void {
  const fail = (field: string, message: string): never => {
    throw new InputError(INPUT, field, message)
  }
  const familyProblem = ecsNameProblem(td.family ?? '')
  if (familyProblem) fail('family', familyProblem)
  const fargate = td.requiresCompatibilities?.includes('FARGATE') ?? false
  const mode = td.networkMode ?? 'bridge'
  if (fargate && td.networkMode !== 'awsvpc') {
    fail(
      'networkMode',
      `must be "awsvpc" when requiresCompatibilities has FARGATE, got ${JSON.stringify(td.networkMode ?? null)}`
    )
  }
  if (fargate && td.cpu === undefined) fail('cpu', 'is required for FARGATE (e.g. "256")')
  if (fargate && td.memory === undefined) fail('memory', 'is required for FARGATE (e.g. "512")')
  if (fargate) checkFargate(td, fail)
  checkReservations(td, fail)
  const containers = td.containerDefinitions ?? []
  const names = new Set<string>()
  containers.forEach((c, i) => {
    const at = `containerDefinitions[${i}]`
    const nameProblem = ecsNameProblem(c.name ?? '')
    if (nameProblem) fail(`${at}.name`, nameProblem)
    if (names.has(c.name ?? '')) fail(`${at}.name`, `two containers are named ${JSON.stringify(c.name)}`)
    names.add(c.name ?? '')
    if ((c.image ?? '').trim() === '') fail(`${at}.image`, 'must not be empty')
    if (td.memory === undefined && c.memory === undefined && c.memoryReservation === undefined) {
      fail(`${at}.memory`, 'give memory or memoryReservation here, or memory for the whole task')
    }
    checkPorts(c, { at, mode, fail })
  })
  if (!containers.some(c => c.essential !== false)) {
    fail('containerDefinitions', 'at least one container must be essential')
  }
  if (td.tags) {
    checkTags({
      input: INPUT,
      tags: td.tags.map(t => ({ Key: t.key ?? '', Value: t.value ?? '' })),
      fieldFor: (i, part) => `tags[${i}].${part === 'Key' ? 'key' : 'value'}`
    })
  }
}

interface ContainerCheck {
  at: string
  mode: string
  fail: (field: string, message: string) => never
}

function checkPorts(c: ContainerDefinition, { at, mode, fail }: ContainerCheck): void {
  const seen = new Set<string>()
  c.portMappings?.forEach((p, j) => {
    const field = `${at}.portMappings[${j}]`
    if (p.containerPort === undefined && p.containerPortRange === undefined) {
      fail(`${field}.containerPort`, 'is required')
    }
    if (p.hostPort === 0 && mode !== 'bridge') {
      fail(`${field}.hostPort`, `0 (a dynamic host port) only works with networkMode bridge, not ${mode}`)
    }
    if (
      (mode === 'awsvpc' || mode === 'host') &&
      p.hostPort !== undefined &&
      p.hostPort !== p.containerPort
    ) {
      fail(
        `${field}.hostPort`,
        `with networkMode ${mode} it must equal containerPort (${p.containerPort}) or be left out`
      )
    }
    const key = `${p.containerPort}/${p.protocol ?? 'tcp'}`
    if (p.containerPort !== undefined && seen.has(key)) fail(`${field}.containerPort`, `maps ${key} twice`)
    seen.add(key)
  })
}
