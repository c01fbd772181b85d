/** An error whose message already says what went wrong and what to do; printed as is. */
export class DeployError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'DeployError'
  }
}
