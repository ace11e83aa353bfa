/**
 * Section parsers: each `service.json` component is parsed by the package that owns it
 * (`parse<Section>Config(value, path)`, throwing `InvalidConfigError` with the key path).
 * Components whose package has no parser yet are passed through as loaded (after env
 * overrides); register a parser here when it lands.
 */
import { parseBalancedAllocatorConfig } from '@pinmesh/allocator'
import { parseClusterConfig } from '@pinmesh/core'
import { parseIpfsProxyConfig, parseMetricsConfig, parsePinSvcApiConfig, parseRestApiConfig } from '@pinmesh/http-api'
import { parseEmbeddedIpfsConfig, parseIpfsHttpConfig } from '@pinmesh/ipfs-connector'
import {
  parseDiskInformerConfig,
  parseNumPinInformerConfig,
  parsePinQueueInformerConfig,
  parsePubsubmonConfig,
  parseTagsInformerConfig,
} from '@pinmesh/monitor'
import { parsePinTrackerConfig } from '@pinmesh/pintracker'

export type SectionParser = (value: unknown, path: string) => unknown

/** `section.component` (or `cluster`) → parser. */
export const SECTION_PARSERS: Record<string, SectionParser> = {
  cluster: parseClusterConfig,
  'monitor.pubsubmon': parsePubsubmonConfig,
  'api.restapi': parseRestApiConfig,
  'api.pinsvcapi': parsePinSvcApiConfig,
  'observations.metrics': parseMetricsConfig,
  'api.ipfsproxy': parseIpfsProxyConfig,
  'ipfs_connector.ipfshttp': parseIpfsHttpConfig,
  'ipfs_connector.embedded': parseEmbeddedIpfsConfig,
  'pin_tracker.stateless': parsePinTrackerConfig,
  'allocator.balanced': parseBalancedAllocatorConfig,
  'informer.disk': parseDiskInformerConfig,
  'informer.tags': parseTagsInformerConfig,
  'informer.pinqueue': parsePinQueueInformerConfig,
  'informer.numpin': parseNumPinInformerConfig,
}
