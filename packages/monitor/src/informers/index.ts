/**
 * Informers (reference §7.5): `freespace`/`reposize` (disk), `tag:<name>` (tags), `pinqueue`,
 * `numpin`, and their config sections. Run them with `monitor.addInformer(informer, informer.ttl / 2)`.
 */
export * from './config.js'
export * from './disk.js'
export * from './metric.js'
export * from './numpin.js'
export * from './pinqueue.js'
export * from './tags.js'
