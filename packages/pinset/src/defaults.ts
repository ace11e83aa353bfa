/** Defaults of the pinset configuration (`consensus.crdt.*`), tuned for low latency. */
export const DEFAULTS = {
  cluster_name: 'ipfs-cluster',
  trusted_peers: ['*'] as string[],
  batching: {
    /** Pins per commit at most. */
    max_batch_size: 1000,
    /** Longest wait (ms) of a staged write while another commit runs; idle peers commit at once. */
    max_batch_age: 20,
    /** Writes staged or committing at most; beyond that `put`/`remove` throw `QueueFullError`. */
    max_queue_size: 50_000,
  },
  /** Shards of the state; a power of two, fixed when the state is created. */
  shards: 64,
  /** Milliseconds between digest announcements. */
  digest_interval: 10_000,
  /** Largest gossip message in bytes (gossipsub drops frames above 4 MiB). */
  max_message_size: 1024 * 1024,
  /** Largest sync chunk in bytes. */
  sync_chunk_size: 256 * 1024,
}

/** Version of the stored state layout; bump with a migration when the layout changes. */
export const FORMAT_VERSION = 2
