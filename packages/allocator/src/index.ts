/**
 * @pinmesh/allocator — pinmesh balanced allocator
 *
 * Not built yet: this package is reserved in the layout of ARCHITECTURE.md and is filled by its issue.
 */
export {}
