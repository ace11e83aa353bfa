/**
 * One named error per failure. The HTTP layer maps `err.name` to status codes in one place;
 * messages are meant for operators and match upstream's texts where upstream has one.
 */

/** Base class: every pinmesh error carries a stable `name` and optional HTTP status hint. */
export class PinmeshError extends Error {
  /** HTTP status the REST API should use for this error. */
  readonly status: number = 500
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
  }
}

/** A value from a request, a file or a message failed validation. `path` names the field. */
export class InvalidArgumentError extends PinmeshError {
  override readonly status = 400
  constructor(
    message: string,
    readonly path?: string,
  ) {
    super(path === undefined ? message : `${path}: ${message}`)
  }
}

/** A CID could not be decoded. */
export class InvalidCidError extends PinmeshError {
  override readonly status = 400
  constructor(
    readonly input: string,
    cause?: unknown,
  ) {
    super(`error decoding Cid: ${cause instanceof Error ? cause.message : `invalid cid ${JSON.stringify(input)}`}`, { cause })
  }
}

/** Configuration is invalid; the message starts with the key path (e.g. `consensus.crdt.batching.max_batch_size`). */
export class InvalidConfigError extends PinmeshError {
  constructor(
    readonly path: string,
    readonly expected: string,
  ) {
    super(`invalid configuration: ${path} ${expected}`)
  }
}

/** The CID is not in the shared pinset (upstream's exact text; REST answers 404). */
export class PinNotFoundError extends PinmeshError {
  override readonly status = 404
  constructor(readonly cid?: string) {
    super('pin is not part of the pinset')
  }
}

/** A bounded queue is full; the caller may retry later. */
export class QueueFullError extends PinmeshError {
  override readonly status = 503
}

/** Fewer candidate peers than `replication_factor_min`. */
export class NotEnoughPeersError extends PinmeshError {
  constructor(
    readonly needed: number,
    readonly wanted: number,
    readonly available: number,
  ) {
    super(
      `not enough peers to allocate CID. Needed at least: ${needed}. Wanted at most: ${wanted}. Available candidates: ${available}. See logs for more info.`,
    )
  }
}

/** The peer runs in follower mode and refuses writes (upstream's text). */
export class FollowerModeError extends PinmeshError {
  constructor() {
    super('this peer is configured to be in follower mode. Write operations are disabled')
  }
}

/** A capability exists in the API surface but has not been built in this peer. */
export class NotImplementedError extends PinmeshError {
  override readonly status = 501
}

/** The IPFS node could not be reached or answered with an error. */
export class IpfsError extends PinmeshError {}

/** The component was used after `close()`/`stop()`. */
export class ClosedError extends PinmeshError {
  override readonly status = 503
}

/** Stored state cannot be opened by this version (format or shard-count mismatch, corruption). */
export class StateFormatError extends PinmeshError {}
