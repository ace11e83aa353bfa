/**
 * Informers (reference §7.5): `freespace`/`reposize` (disk), `tag:<name>` (tags), `pinqueue`,
 * `numpin`, their config sections, and a scheduler that publishes their metrics every TTL/2.
 */
export * from './config.js'
export * from './disk.js'
export * from './metric.js'
export * from './numpin.js'
export * from './pinqueue.js'
export * from './schedule.js'
export * from './tags.js'
