/**
 * What each CrateDB version the test server impersonates reports about itself (`GET /`, `sys.nodes`,
 * `version()`), as recorded in the transcripts (6.4.3 and 5.10.16).
 */
import type { CrateVersion } from '../contract.js';

export interface VersionInfo {
  /** `version.number` of `GET /` and `sys.nodes.version['number']`. */
  readonly number: string;
  readonly luceneVersion: string;
  readonly buildHash: string;
  /** `minimum_index_compatibility_version` / `minimum_wire_compatibility_version` of `sys.nodes.version`. */
  readonly minimumIndexCompatibilityVersion: string;
  readonly minimumWireCompatibilityVersion: string;
  /** `statement_max_length` (6.0+): longer statement texts are refused before parsing. */
  readonly statementMaxLength?: number;
}

/** Version facts per impersonated version. */
export const VERSIONS: Readonly<Record<CrateVersion, VersionInfo>> = {
  '6.4': {
    number: '6.4.3',
    luceneVersion: '10.4.0',
    buildHash: '023a7ccf7f1e2b7bfb2dfafc8bcc7705cf6e1bd8',
    minimumIndexCompatibilityVersion: '5.0.0',
    minimumWireCompatibilityVersion: '5.10.0',
    statementMaxLength: 262144,
  },
  '5.10': {
    number: '5.10.16',
    luceneVersion: '9.12.3',
    buildHash: '023a7ccf7f1e2b7bfb2dfafc8bcc7705cf6e1bd8',
    minimumIndexCompatibilityVersion: '4.0.0',
    minimumWireCompatibilityVersion: '5.0.0',
  },
};

/** True when `version` is at least `major.minor`. */
export function atLeast(version: CrateVersion, major: number, minor: number): boolean {
  const [ma, mi] = VERSIONS[version].number.split('.').map(Number) as [number, number];
  return ma > major || (ma === major && mi >= minor);
}
