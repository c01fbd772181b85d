import { randomBytes, randomInt } from 'node:crypto'

/** Resource ids and ARNs shaped like ELBv2's. */
export const hexId = (): string => randomBytes(8).toString('hex')

export interface ArnScope {
  region: string
  accountId: string
}

const prefix = (s: ArnScope) => `arn:aws:elasticloadbalancing:${s.region}:${s.accountId}`

export const loadBalancerArn = (s: ArnScope, name: string, id: string) =>
  `${prefix(s)}:loadbalancer/app/${name}/${id}`
export const targetGroupArn = (s: ArnScope, name: string, id: string) =>
  `${prefix(s)}:targetgroup/${name}/${id}`
export const listenerArn = (s: ArnScope, lbName: string, lbId: string, id: string) =>
  `${prefix(s)}:listener/app/${lbName}/${lbId}/${id}`
export const ruleArn = (s: ArnScope, lbName: string, lbId: string, listenerId: string, id: string) =>
  `${prefix(s)}:listener-rule/app/${lbName}/${lbId}/${listenerId}/${id}`

export const dnsName = (name: string, region: string) =>
  `${name}-${randomInt(1_000_000_000, 9_999_999_999)}.${region}.elb.amazonaws.com`

/** The hosted zone of ALBs per region (Route 53 alias targets); ap-northeast-1's when the region is unknown. */
const HOSTED_ZONES: Record<string, string> = {
  'ap-northeast-1': 'Z14GRHDCWA56QT',
  'ap-northeast-2': 'ZWKZPGTI48KDX',
  'ap-southeast-1': 'Z1LMS91P8CMLE5',
  'ap-southeast-2': 'Z1GM3OXH4ZPM65',
  'eu-central-1': 'Z215JYRZR1TBD5',
  'eu-west-1': 'Z32O12XQLNTSW2',
  'us-east-1': 'Z35SXDOTRQ7X7K',
  'us-east-2': 'Z3AADJGX6KTTL2',
  'us-west-1': 'Z368ELLRRE2KJ0',
  'us-west-2': 'Z1H1FL5HABSF5'
}
export const canonicalHostedZoneId = (region: string) =>
  HOSTED_ZONES[region] ?? HOSTED_ZONES['ap-northeast-1']

/** "loadbalancer", "targetgroup", "listener", "listener-rule" or undefined for a foreign ARN. */
export const resourceKind = (arn: string): string | undefined =>
  /^arn:aws:elasticloadbalancing:[^:]*:[^:]*:([a-z-]+)\//.exec(arn)?.[1]
