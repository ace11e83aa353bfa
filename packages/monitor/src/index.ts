/**
 * @pinmesh/monitor — pinmesh informers and metric monitor
 *
 * Not built yet: this package is reserved in the layout of ARCHITECTURE.md and is filled by its issue.
 */
export {}
