/** Errors of the client: an API error response (`code` = HTTP status) or a transport failure (`code` 0). */
export class ClientError extends Error {
  constructor(
    /** HTTP status of the error response; 0 when the request did not get an answer. */
    readonly code: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = 'ClientError'
  }
}
