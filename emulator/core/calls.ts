/** One API call as the emulator saw it: the test's evidence for "zero mutating calls". */
export interface CallRecord {
  seq: number
  time: string
  service: 'ecs' | 'elbv2'
  operation: string
  mutating: boolean
  status: number
  errorCode?: string
  params: unknown
  /** The IAM actions AWS authorizes for the call: its own and those it checks besides (see core/iam.ts). */
  authorized?: string[]
  durationMs: number
}

export class CallLog {
  private records: CallRecord[] = []
  private seq = 0

  add(r: Omit<CallRecord, 'seq'>): CallRecord {
    const rec = { ...r, seq: ++this.seq }
    this.records.push(rec)
    return rec
  }

  list(sinceSeq = 0): CallRecord[] {
    return this.records.filter(r => r.seq > sinceSeq)
  }

  lastSeq(): number {
    return this.seq
  }

  clear(): void {
    this.records = []
  }
}
