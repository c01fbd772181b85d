import type { VpcInfo } from './types.js'

/**
 * The account the seed ran in: its placeholder ids are real here, so its JSON files work unchanged.
 * A second, realistic VPC lets tests use ids that look like AWS's.
 */
export function seededVpcs(region: string): VpcInfo[] {
  return [
    {
      vpcId: 'vpc-xxxxxxxx',
      cidr: '10.0.0.0/16',
      subnets: [
        { subnetId: 'subnet-12345678', availabilityZone: `${region}a`, cidr: '10.0.1.0/24' },
        { subnetId: 'subnet-abcdefgh', availabilityZone: `${region}c`, cidr: '10.0.2.0/24' }
      ],
      securityGroups: ['sg-12345678']
    },
    {
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      cidr: '172.31.0.0/16',
      subnets: [
        { subnetId: 'subnet-0123456789abcdef0', availabilityZone: `${region}a`, cidr: '172.31.0.0/20' },
        { subnetId: 'subnet-0fedcba9876543210', availabilityZone: `${region}c`, cidr: '172.31.16.0/20' },
        { subnetId: 'subnet-0aaaabbbbccccdddd', availabilityZone: `${region}d`, cidr: '172.31.32.0/20' }
      ],
      securityGroups: ['sg-0123456789abcdef0', 'sg-0fedcba9876543210']
    }
  ]
}

export const findSubnet = (vpcs: VpcInfo[], subnetId: string) => {
  for (const v of vpcs) {
    const s = v.subnets.find(x => x.subnetId === subnetId)
    if (s) return { vpc: v, subnet: s }
  }
  return undefined
}
