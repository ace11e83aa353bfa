/**
 * Section parsers: each `service.json` component is parsed by the package that owns it
 * (`parse<Section>Config(value, path)`, throwing `InvalidConfigError` with the key path).
 * Components whose package has no parser yet are passed through as loaded (after env
 * overrides); register a parser here when it lands.
 */
import { parseClusterConfig } from '@pinmesh/core'
import { parseMetricsConfig, parsePinSvcApiConfig, parseRestApiConfig } from '@pinmesh/http-api'
import { parsePubsubmonConfig } from '@pinmesh/monitor'

export type SectionParser = (value: unknown, path: string) => unknown

/** `section.component` (or `cluster`) → parser. */
export const SECTION_PARSERS: Record<string, SectionParser> = {
  cluster: parseClusterConfig,
  'monitor.pubsubmon': parsePubsubmonConfig,
  'api.restapi': parseRestApiConfig,
  'api.pinsvcapi': parsePinSvcApiConfig,
  'observations.metrics': parseMetricsConfig,
}
