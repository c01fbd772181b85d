import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'

/** Whether moto's server can run here (it is preinstalled on these machines; CI installs it otherwise). */
export async function motoAvailable(): Promise<boolean> {
  return new Promise(resolve => {
    const p = spawn('python3', ['-c', 'import moto.server'], { stdio: 'ignore' })
    p.on('error', () => resolve(false))
    p.on('close', code => resolve(code === 0))
  })
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })

export interface Moto {
  url: string
  stop(): Promise<void>
}

/** Starts `python3 -m moto.server` on a free loopback port and waits until it answers. */
export async function startMoto(): Promise<Moto> {
  const port = await freePort()
  const child: ChildProcess = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore'
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      const res = await fetch(`${url}/moto-api/`)
      if (res.status < 500) break
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error('moto did not start within 30 s')
    }
    await new Promise(r => setTimeout(r, 200))
  }
  return {
    url,
    stop: () =>
      new Promise(resolve => {
        child.once('close', () => resolve())
        child.kill('SIGTERM')
      })
  }
}

/** moto's default VPC and subnets (it makes them itself; their ids are random). */
export async function motoDefaultNetwork(
  url: string,
  region: string
): Promise<{ vpcId: string; subnets: string[]; securityGroup: string }> {
  const q = async (action: string) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/${region}/ec2/aws4_request, SignedHeaders=host, Signature=x`
      },
      body: `Action=${action}&Version=2016-11-15`
    })
    return res.text()
  }
  const subnetsXml = await q('DescribeSubnets')
  const items = [
    ...subnetsXml.matchAll(/<subnetId>(subnet-[0-9a-f]+)<\/subnetId>[\s\S]*?<vpcId>(vpc-[0-9a-f]+)<\/vpcId>/g)
  ]
  const vpcId = items[0][2]
  const sgXml = await q('DescribeSecurityGroups')
  const sg = /<groupId>(sg-[0-9a-f]+)<\/groupId>/.exec(sgXml)?.[1] ?? ''
  return { vpcId, subnets: items.filter(i => i[2] === vpcId).map(i => i[1]), securityGroup: sg }
}
