/** An error answered the way AWS answers it: code, HTTP status, message, sender or receiver fault. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly fault: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender'
  ) {
    super(message)
    this.name = code
  }
}

export const isAwsError = (e: unknown): e is AwsError => e instanceof AwsError
