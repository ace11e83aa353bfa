/**
 * @pinmesh/ctl — pinmesh-ctl control CLI
 *
 * Not built yet: this package is reserved in the layout of ARCHITECTURE.md and is filled by its issue.
 */
export {}
