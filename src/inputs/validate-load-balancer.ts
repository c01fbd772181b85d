import type { CreateLoadBalancerCommandInput } from '@aws-sdk/client-elastic-load-balancing-v2'
import type { LoadBalancerRequest } from '../model/request.js'
import { InputError } from './errors.js'
import { LOAD_BALANCER_ARN, elbNameProblem } from './identifiers.js'
import type { DocumentInput } from './parse-document.js'
import { checkTags } from './scalars.js'
import { checkShape } from './schema.js'
import { loadBalancerShape } from './shapes.js'

const INPUT = 'load-balancer'

/** A CreateLoadBalancer document to manage, or the name/ARN of an ALB to reuse; empty: none. */
export function validateLoadBalancer(doc: DocumentInput): LoadBalancerRequest | undefined {
  if (doc.kind === 'empty') return undefined
  if (doc.kind === 'reference') return reference(doc.ref)
  const lb = checkShape(loadBalancerShape, doc.value, { input: INPUT })
  const fail = (field: string, message: string): never => {
    throw new InputError(INPUT, field, message)
  }
  const nameProblem = loadBalancerNameProblem(lb.Name ?? '')
  if (nameProblem) fail('Name', nameProblem)
  if (lb.Subnets && lb.SubnetMappings) fail('SubnetMappings', 'give Subnets or SubnetMappings, not both')
  const subnets = lb.Subnets ?? lb.SubnetMappings?.map(m => m.SubnetId ?? '') ?? []
  const subnetField = lb.SubnetMappings ? 'SubnetMappings' : 'Subnets'
  if (subnets.length < 2) {
    fail(
      subnetField,
      `an Application Load Balancer needs subnets in at least two Availability Zones, got ${subnets.length}`
    )
  }
  subnets.forEach((s, i) => {
    if (!/^subnet-[0-9a-zA-Z]+$/.test(s))
      fail(`${subnetField}[${i}]`, `must be a subnet id (subnet-…), got ${JSON.stringify(s)}`)
  })
  if (new Set(subnets).size !== subnets.length) fail(subnetField, 'lists the same subnet twice')
  lb.SecurityGroups?.forEach((g, i) => {
    if (!/^sg-[0-9a-zA-Z]+$/.test(g))
      fail(`SecurityGroups[${i}]`, `must be a security group id (sg-…), got ${JSON.stringify(g)}`)
  })
  checkElbTags(INPUT, lb)
  return { kind: 'manage', input: lb as CreateLoadBalancerCommandInput & { Name: string } }
}

function reference(ref: string): LoadBalancerRequest {
  if (ref.startsWith('arn:')) {
    if (!LOAD_BALANCER_ARN.test(ref)) {
      throw new InputError(INPUT, undefined, `is not a well-formed load balancer ARN: ${JSON.stringify(ref)}`)
    }
    if (!ref.includes(':loadbalancer/app/')) {
      throw new InputError(
        INPUT,
        undefined,
        `must be an Application Load Balancer (loadbalancer/app/…), got ${ref}`
      )
    }
    return { kind: 'reuse', arn: ref }
  }
  const problem = loadBalancerNameProblem(ref)
  if (problem) {
    throw new InputError(
      INPUT,
      undefined,
      `is no existing file, no inline JSON/YAML, and not a load balancer name or ARN (a name ${problem})`
    )
  }
  return { kind: 'reuse', name: ref }
}

function loadBalancerNameProblem(name: string): string | undefined {
  if (name.toLowerCase().startsWith('internal-'))
    return `must not begin with "internal-", got ${JSON.stringify(name)}`
  return elbNameProblem(name)
}

/** Tags/Tags[] of an ELBv2 document, with the field named by its place in the document. */
export function checkElbTags(input: string, doc: { Tags?: { Key?: string; Value?: string }[] }): void {
  if (!doc.Tags) return
  checkTags({
    input,
    tags: doc.Tags.map(t => ({ Key: t.Key ?? '', Value: t.Value ?? '' })),
    fieldFor: (i, part) => `Tags[${i}].${part}`
  })
}
